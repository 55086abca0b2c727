"""Internal admin console (Gradio): ticket analytics in plain English and reply drafting.

Run with: python -m support_bot.admin_ui            (team access, password protected)
          python -m support_bot.admin_ui --share    (temporary link for a stakeholder demo)
"""

from __future__ import annotations

import argparse
import sqlite3

import gradio as gr
import pandas as pd

from . import llm
from .settings import settings

TICKET_COLUMNS = "id, category, priority, status, created_at, csat"


def load_tickets() -> pd.DataFrame:
    with sqlite3.connect(settings.database_path) as conn:
        return pd.read_sql_query(f"SELECT {TICKET_COLUMNS} FROM tickets", conn)


def ask_tickets(question: str) -> pd.DataFrame:
    """'Open billing tickets older than a week' -> the matching rows."""
    tickets = load_tickets()
    expression = llm.complete(
        f"A pandas DataFrame has the columns {TICKET_COLUMNS} (created_at is an ISO date, "
        "csat is 1-5). Write a DataFrame.query() expression that selects the rows the "
        "question asks for. Reply with the expression only.\n\nQuestion: " + question
    )
    return tickets.query(expression.strip().strip("`"))


def draft_reply(ticket_text: str, tone: str) -> str:
    return llm.complete(f"Write a {tone.lower()} reply to this support ticket:\n\n{ticket_text}")


def build_demo() -> gr.Blocks:
    with gr.Blocks(title="Acme Support Admin") as demo:
        gr.Markdown("# Acme Support Admin")
        with gr.Tab("Ask the tickets"):
            question = gr.Textbox(label="Question", placeholder="Open billing tickets this week")
            table = gr.Dataframe(label="Matching tickets")
            question.submit(ask_tickets, inputs=question, outputs=table)
        with gr.Tab("Draft a reply"):
            ticket = gr.Textbox(label="Ticket", lines=8)
            tone = gr.Radio(["Friendly", "Formal", "Apologetic"], value="Friendly", label="Tone")
            reply = gr.Textbox(label="Draft", lines=8)
            gr.Button("Draft").click(draft_reply, inputs=[ticket, tone], outputs=reply)
    return demo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--share", action="store_true", help="create a public gradio.live link")
    args = parser.parse_args()

    demo = build_demo()
    if args.share:
        demo.queue().launch(share=True)
    else:
        demo.queue().launch(
            server_name="0.0.0.0",
            server_port=7860,
            auth=(settings.admin_user, settings.admin_password),
        )


if __name__ == "__main__":
    main()
