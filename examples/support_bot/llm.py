"""LLM clients and helpers shared by the API, the admin console and the batch jobs."""

from __future__ import annotations

import anthropic
from openai import OpenAI

from .settings import settings

# The key comes from the environment through settings, never from the source.
openai_client = OpenAI(api_key=settings.openai_api_key)
claude = anthropic.Anthropic(
    api_key=settings.anthropic_api_key or None,
    timeout=30.0,
    max_retries=2,
)

SUPPORT_PERSONA = """\
You are Ava, the customer-support assistant of Acme Outdoor Gear.
Be concise and friendly. Only answer questions about Acme products, orders, shipping,
returns and accounts. Never promise refunds above 100 USD; hand those to a human agent.
"""

TRIAGE_INSTRUCTIONS = """\
You triage customer-support tickets. Reply with YAML only, with the keys:
category (billing|shipping|returns|product|account|other), priority (1-4),
title (at most eight words), summary (two sentences) and tags (a list of short words).
"""


def chat(messages: list[dict[str, str]], model: str | None = None, temperature: float = 0.2) -> str:
    """Send a conversation to the chat model and return the assistant's text."""
    response = openai_client.chat.completions.create(
        model=model or settings.chat_model,
        messages=messages,
        temperature=temperature,
    )
    return response.choices[0].message.content or ""


def complete(prompt: str, *, system: str = SUPPORT_PERSONA) -> str:
    """A one-shot instruction to the chat model (no conversation history)."""
    return chat(
        [
            {"role": "system", "content": system},
            {"role": "user", "content": prompt},
        ]
    )


def triage(ticket_text: str) -> str:
    """Ask Claude for the ticket's category, priority and summary, as YAML text."""
    message = claude.messages.create(
        model=settings.triage_model,
        max_tokens=512,
        system=TRIAGE_INSTRUCTIONS,
        messages=[{"role": "user", "content": ticket_text}],
    )
    return "".join(block.text for block in message.content if block.type == "text")
