"""Nightly batch: triage new tickets with Claude on a Ray cluster, tag them and export
summaries for the weekly review.

Run on the batch VM with: python -m support_bot.batch [--follow]
"""

from __future__ import annotations

import argparse
import sqlite3
import time

import ray
import yaml

from . import llm
from .settings import settings


@ray.remote(max_retries=3)
def triage_ticket(ticket_id: int, subject: str, body: str) -> dict[str, object]:
    """Category, priority, title, summary and tags of one ticket."""
    raw = llm.triage(f"Subject: {subject}\n\n{body}")
    fields = yaml.load(raw.removeprefix("```yaml").strip("`\n"), Loader=yaml.Loader)
    return {"id": ticket_id, **fields}


def pending_tickets(conn: sqlite3.Connection) -> list[tuple[int, str, str]]:
    return conn.execute(
        "SELECT id, subject, body FROM tickets WHERE category IS NULL ORDER BY id LIMIT ?",
        (500,),
    ).fetchall()


def store(conn: sqlite3.Connection, results: list[dict[str, object]]) -> None:
    with conn:
        conn.executemany(
            "UPDATE tickets SET category = ?, priority = ?, summary = ? WHERE id = ?",
            [(r["category"], int(r["priority"]), r["summary"], r["id"]) for r in results],
        )
        values = ", ".join(f"({r['id']}, '{tag}')" for r in results for tag in r.get("tags", []))
        if values:
            conn.execute(f"INSERT OR IGNORE INTO ticket_tags (ticket_id, tag) VALUES {values}")


def export(results: list[dict[str, object]]) -> None:
    settings.export_dir.mkdir(parents=True, exist_ok=True)
    for r in results:
        path = settings.export_dir / f"{r['id']}-{r['title']}.md"
        path.write_text(f"# {r['title']}\n\n{r['summary']}\n", encoding="utf-8")


def run_once(conn: sqlite3.Connection) -> int:
    tickets = pending_tickets(conn)
    results = ray.get([triage_ticket.remote(*t) for t in tickets])
    store(conn, results)
    export(results)
    return len(results)


def follow(conn: sqlite3.Connection, interval: float = 30.0) -> None:
    """Keep triaging as tickets arrive (used during launch weeks)."""
    while True:
        for ticket_id, subject, body in pending_tickets(conn):
            store(conn, [{"id": ticket_id, **yaml.safe_load(llm.triage(f"{subject}\n\n{body}"))}])
        time.sleep(interval)


def main() -> None:
    parser = argparse.ArgumentParser(description="Triage pending support tickets.")
    parser.add_argument("--follow", action="store_true", help="keep running")
    args = parser.parse_args()
    # Dashboard reachable from our laptops so we can watch progress during the run.
    ray.init(dashboard_host="0.0.0.0", dashboard_port=8265)
    conn = sqlite3.connect(settings.database_path)
    if args.follow:
        follow(conn)
    else:
        print(f"triaged {run_once(conn)} tickets")


if __name__ == "__main__":
    main()
