"""Every write to evaluations goes through these functions, one module per aggregate.

Each runs in one transaction, refuses to touch an awarded or cancelled evaluation
(``locking``), and refreshes the stored results in the same transaction when it
changes anything the ranking reads (``scoring.results``), so reading a page never
recomputes. Loading and exporting a package live with its format in ``scoring.package``.
"""

from scoring.results import refresh_ranking, stored_ranking, stored_results, stored_results_stamp

from .addenda import addendum_acknowledge, addendum_issue, bid_room_in_use
from .assessments import assessment_create, profile_of, requirements_for
from .awards import award_decide, award_propose, evaluation_unlock, may_decide_award
from .bids import BID_FIELDS, bid_create, bid_update, flag_raise, flag_withdraw, waiver_create, waiver_revoke
from .candidates import candidate_invite, candidate_update, ensure_candidate
from .clarifications import clarification_answer, clarification_ask, questions_open
from .common import retire, save_with_reason
from .documents import (
    DOCUMENT_SIGNATURES,
    check_document_file,
    document_upload,
    document_withdraw,
    reference_check_create,
    verified_file,
)
from .evaluations import (
    DEFAULT_PRICE_WEIGHT,
    EVALUATION_FIELDS,
    PRICE_KEY,
    criteria_update,
    evaluation_create,
    evaluation_transition,
    evaluation_update,
    evaluators_add,
    scoring_started,
)
from .invitations import OPEN_FOR_INVITATIONS, bid_room_invite, bid_room_new_link, bid_room_resend
from .locking import EvaluationLocked, ensure_writable, note_refusal, recording_refusals
from .questions import question_add, question_remove, question_update
from .record import kept_record, lock_moment, lock_record, package_document, ranking_document, record_for, verification
from .scorecards import (
    conflict_declare,
    declaration_sign,
    refusal_reason,
    scorecard_reopen,
    scorecard_save,
    scorecard_slots,
    scorecard_version,
    scoring_refusal,
)
from .submissions import (
    CLOSED,
    BidsClosed,
    bids_closed,
    bids_open,
    current_response,
    invitation_decline,
    note_late_submission,
    receipt_digest,
    response_document_add,
    response_document_remove,
    response_documents,
    response_file,
    response_save,
    response_submit,
    response_withdraw,
    sealed_submissions,
)

__all__ = [
    "addendum_acknowledge",
    "addendum_issue",
    "bid_room_in_use",
    "clarification_answer",
    "clarification_ask",
    "questions_open",
    "CLOSED",
    "OPEN_FOR_INVITATIONS",
    "BidsClosed",
    "bid_room_invite",
    "bid_room_new_link",
    "bid_room_resend",
    "bids_closed",
    "bids_open",
    "current_response",
    "invitation_decline",
    "note_late_submission",
    "receipt_digest",
    "response_document_add",
    "response_document_remove",
    "response_documents",
    "response_file",
    "response_save",
    "response_submit",
    "response_withdraw",
    "sealed_submissions",
    "BID_FIELDS",
    "DEFAULT_PRICE_WEIGHT",
    "DOCUMENT_SIGNATURES",
    "EVALUATION_FIELDS",
    "EvaluationLocked",
    "PRICE_KEY",
    "assessment_create",
    "award_decide",
    "award_propose",
    "bid_create",
    "bid_update",
    "candidate_invite",
    "candidate_update",
    "check_document_file",
    "conflict_declare",
    "criteria_update",
    "document_upload",
    "verified_file",
    "document_withdraw",
    "ensure_candidate",
    "ensure_writable",
    "evaluation_create",
    "evaluation_transition",
    "evaluation_unlock",
    "evaluation_update",
    "evaluators_add",
    "flag_raise",
    "flag_withdraw",
    "kept_record",
    "lock_moment",
    "lock_record",
    "may_decide_award",
    "note_refusal",
    "package_document",
    "profile_of",
    "question_add",
    "question_remove",
    "question_update",
    "ranking_document",
    "record_for",
    "recording_refusals",
    "reference_check_create",
    "refresh_ranking",
    "refusal_reason",
    "requirements_for",
    "retire",
    "save_with_reason",
    "declaration_sign",
    "scorecard_reopen",
    "scorecard_save",
    "scorecard_slots",
    "scorecard_version",
    "scoring_refusal",
    "scoring_started",
    "stored_ranking",
    "stored_results",
    "stored_results_stamp",
    "verification",
    "waiver_create",
    "waiver_revoke",
]
