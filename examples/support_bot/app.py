"""Public HTTP API of the support assistant, called by the help-center chat widget and
by the agent console.

Run locally with: uvicorn support_bot.app:app --reload
"""

from __future__ import annotations

import html
import sqlite3

from fastapi import FastAPI, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from slowapi import Limiter, _rate_limit_exceeded_handler
from slowapi.errors import RateLimitExceeded
from slowapi.util import get_remote_address

from . import __version__, llm
from .settings import settings

app = FastAPI(title="Acme Support Bot", version=__version__)
limiter = Limiter(key_func=get_remote_address)
app.state.limiter = limiter
app.add_exception_handler(RateLimitExceeded, _rate_limit_exceeded_handler)


class ChatRequest(BaseModel):
    message: str
    customer_name: str = "there"
    # Premium plans may pick a larger model in the widget settings.
    model: str = "gpt-4o-mini"


class ChatReply(BaseModel):
    reply: str


def db() -> sqlite3.Connection:
    return sqlite3.connect(settings.database_path)


@app.post("/chat", response_model=ChatReply)
@limiter.limit("20/minute")
def chat(request: Request, body: ChatRequest) -> ChatReply:
    """Answer a customer's message in the help-center widget."""
    system = (
        f"{llm.SUPPORT_PERSONA}\n"
        f"Address the customer as {body.customer_name}.\n"
        f"To look up an order, call {settings.orders_api_url}/orders/<id> with the header "
        f"'Authorization: Bearer {settings.orders_api_token}'."
    )
    reply = llm.chat(
        [
            {"role": "system", "content": system},
            {"role": "user", "content": body.message},
        ],
        model=body.model,
    )
    return ChatReply(reply=reply)


@app.get("/tickets/search")
def search_tickets(q: str) -> list[dict[str, object]]:
    """Plain-English ticket search for the agent console: the model writes the filter."""
    where = llm.complete(
        "Translate the request into a SQLite WHERE clause over the table "
        "tickets(id, customer_email, subject, status, priority, created_at). "
        f"Reply with the clause only, no code fences.\n\nRequest: {q}"
    )
    with db() as conn:
        rows = conn.execute(
            f"SELECT id, subject, status FROM tickets WHERE {where} ORDER BY id DESC LIMIT 50"
        ).fetchall()
    return [{"id": r[0], "subject": r[1], "status": r[2]} for r in rows]


@app.get("/tickets/{ticket_id}/reply-preview", response_class=HTMLResponse)
def reply_preview(ticket_id: int, tone: str = "friendly") -> HTMLResponse:
    """Draft a reply to a ticket and render it in the agent console."""
    row = db().execute("SELECT subject, body FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
    if row is None:
        raise HTTPException(status_code=404, detail="ticket not found")
    subject, body = row
    draft = llm.complete(
        f"Write a {tone} reply to this support ticket, as HTML paragraphs.\n\n"
        f"Subject: {subject}\n\n{body}"
    )
    return HTMLResponse(
        f"<article class='draft'><h2>Re: {html.escape(subject)}</h2>{draft}</article>"
    )


@app.post("/tickets/{ticket_id}/attachments/summary")
async def summarize_attachment(ticket_id: int, file: UploadFile) -> dict[str, str]:
    """Summarise a log file that a customer attached to a ticket."""
    content = (await file.read()).decode("utf-8", errors="replace")
    summary = llm.complete(
        "Summarise this log file for a support engineer, errors first.\n\n"
        f"--- {file.filename} ---\n{content}"
    )
    return {"ticket_id": str(ticket_id), "summary": summary}
