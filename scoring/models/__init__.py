"""Evaluations and what hangs off them, one module per aggregate.

``library`` holds the question and requirement templates; ``evaluations`` an
evaluation's set-up (the buyer's profile as the package's ``organization``
describes it, criteria, requirements, evaluators) and its stored results;
``bids``, ``candidates``, ``scorecards``, ``documents``, ``assessments`` and
``awards`` the rest. Every model imports from here as ``scoring.models.X``.
"""

from .assessments import NeedsAssessment
from .awards import (
    LOCKING_AWARD_DECISIONS,
    OPEN_AWARD_DECISIONS,
    Award,
    AwardDecision,
    LockedRecord,
    LockedWriteAttempt,
    PackageLoad,
)
from .bids import Bid, PricingModel, RedFlag, RequirementMet, Waiver
from .candidates import Candidate, CandidateStatus
from .documents import (
    BidDocument,
    DocumentKind,
    DocumentMismatch,
    Envelope,
    ReferenceCheck,
    document_path,
    private_storage,
)
from .evaluations import (
    BUYER_FACTS,
    LOCKED_STATUSES,
    TRANSITIONS,
    Assignment,
    Criterion,
    Evaluation,
    Organization,
    RedFlagPolicy,
    Requirement,
    Status,
    StoredRanking,
)
from .library import AppliesTo, BidModel, CriterionKind, Model, QuestionTemplate, RequirementTemplate
from .scorecards import DECLARATION_TEXT, ConflictOfInterest, Declaration, Score
from .tenders import (
    MAX_ANSWER,
    Acknowledgement,
    Addendum,
    BidAnswer,
    BidOpening,
    Clarification,
    Invitation,
    Submission,
    SubmissionDocument,
    SubmissionState,
    TenderEvent,
    TenderEventKind,
    Visibility,
    bids_close_at,
    questions_close_at,
)

# Migrations 0006 and 0007 name the documents' upload path by this name.
_document_path = document_path

__all__ = [
    "Acknowledgement",
    "Addendum",
    "BUYER_FACTS",
    "MAX_ANSWER",
    "BidAnswer",
    "BidOpening",
    "Clarification",
    "Visibility",
    "questions_close_at",
    "Invitation",
    "Submission",
    "SubmissionDocument",
    "SubmissionState",
    "TenderEvent",
    "TenderEventKind",
    "bids_close_at",
    "AppliesTo",
    "Assignment",
    "Award",
    "AwardDecision",
    "Bid",
    "BidDocument",
    "BidModel",
    "Candidate",
    "CandidateStatus",
    "ConflictOfInterest",
    "Criterion",
    "CriterionKind",
    "DECLARATION_TEXT",
    "Declaration",
    "DocumentKind",
    "DocumentMismatch",
    "Envelope",
    "Evaluation",
    "LOCKED_STATUSES",
    "LOCKING_AWARD_DECISIONS",
    "LockedRecord",
    "LockedWriteAttempt",
    "Model",
    "NeedsAssessment",
    "OPEN_AWARD_DECISIONS",
    "Organization",
    "PackageLoad",
    "PricingModel",
    "QuestionTemplate",
    "RedFlag",
    "RedFlagPolicy",
    "ReferenceCheck",
    "Requirement",
    "RequirementMet",
    "RequirementTemplate",
    "Score",
    "Status",
    "StoredRanking",
    "TRANSITIONS",
    "Waiver",
    "document_path",
    "private_storage",
]
