"""Who is reminded of what, and when: one small function per rule, a sweep, and delivery.

A rule (``rules``) looks at the records on a given day and returns what is ``Due``:
a reminder for one person about one thing for one period. The sweep (``recording``)
records each ``Due`` as a ``Reminder`` row under a uniqueness constraint *before*
anything is sent, so running it twice (or on two workers at once) sends nothing
twice. Delivery (``delivery``) then emails it (HTML and plain text, with a link)
unless the person asked for a daily digest; the in-app notification is there
either way.
"""

from .delivery import Delivered, NoAddress, deliver, deliver_many, mark_failed, send_digests
from .recording import BATCH, SweepResult, dispatch, notify, record, sweep
from .rules import (
    RULES,
    Due,
    add_months,
    after_award,
    award_proposed,
    bid_room_due,
    bids_missing,
    conflict_declared,
    decision_overdue,
    evidence_expiring,
    material_change,
    questions_closing,
    references_unchecked,
    scoring_due,
)

__all__ = [
    "BATCH",
    "RULES",
    "Delivered",
    "Due",
    "NoAddress",
    "SweepResult",
    "add_months",
    "after_award",
    "award_proposed",
    "bid_room_due",
    "bids_missing",
    "conflict_declared",
    "material_change",
    "decision_overdue",
    "deliver",
    "deliver_many",
    "dispatch",
    "evidence_expiring",
    "mark_failed",
    "notify",
    "record",
    "questions_closing",
    "references_unchecked",
    "scoring_due",
    "send_digests",
    "sweep",
]
