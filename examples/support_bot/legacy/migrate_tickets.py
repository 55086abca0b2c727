#!/usr/bin/env python
# -*- coding: utf-8 -*-
"""One-off import of the 2016 helpdesk CSV export into support.db.

Tickets without a category are tagged with the old Naive Bayes classifier. Kept for
reference; it was run once with python2.7 and never ported.
"""
import csv
import sqlite3
import sys

from sklearn.externals import joblib

FIELDS = ["id", "requester", "subject", "description", "status", "created"]


def migrate(csv_path, db_path, model_path="models/nb_ticket_classifier.pkl"):
    classifier = joblib.load(model_path)
    conn = sqlite3.connect(db_path)
    count = 0
    with open(csv_path, "rb") as handle:
        for row in csv.DictReader(handle):
            text = unicode(row["subject"] + "\n" + row["description"], "utf-8")
            category = row.get("category") or classifier.predict([text])[0]
            try:
                conn.execute(
                    "INSERT INTO tickets (id, customer_email, subject, body, status, "
                    "created_at, category) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [unicode(row[f], "utf-8") for f in FIELDS] + [category],
                )
                count += 1
            except sqlite3.IntegrityError, exc:
                print >>sys.stderr, "skipping ticket %s: %s" % (row["id"], exc)
    conn.commit()
    print "migrated %d tickets" % count


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print "usage: migrate_tickets.py EXPORT.csv support.db"
        sys.exit(1)
    migrate(sys.argv[1], sys.argv[2])
