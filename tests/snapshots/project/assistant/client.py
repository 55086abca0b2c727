"""Chat client and local model server of the support assistant."""

from __future__ import annotations

import ray
from openai import OpenAI

client = OpenAI(api_key="sk-proj-aF2XuqnMK6TB9aJQOuEYE6H3gMBbUEbj40XKaYMD")


def start_workers() -> None:
    ray.init(dashboard_host="0.0.0.0", num_cpus=4)


def answer(question: str) -> str:
    response = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": question}],
        max_tokens=400,
        timeout=30,
    )
    return response.choices[0].message.content or ""
