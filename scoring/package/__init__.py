"""The evaluation package (``msp-eval/1``): parse and validate, never half-way.

``parse_package`` takes the decoded JSON (numbers as ``Decimal``, see
``loads``) and returns either a ``Package`` of clean values or every problem
found, each as ``PATH: message``. Nothing in ``schema`` and ``parsing`` touches the
database; ``loading`` writes a valid package in one transaction, and ``export`` writes
an evaluation as a package that loads back to the same rows (the round trip).

Besides the contract's keys the app accepts its own extensions (listed in the
README): ``evaluation.sealed_prices``, ``evaluation.monthly_budget``, ``evaluation.request_publishes``,
``evaluation.request_shows_weights``, ``criteria[].rubric``, ``conflicts``, ``candidates``, ``award``, and per
bid ``scope_included``, ``scope_excluded``, ``arrangement``, ``responsibilities``, ``documents``,
``reference_checks`` and ``answers`` (the written answers by question key).

``award`` is ``{"winner": VENDOR, "rationale": TEXT}`` (both may be left out or null): the
award an archive loaded at ``evaluation.status`` ``awarded`` states. It is allowed only at
that status; ``winner`` names one of the package's bids (ignoring case) that is eligible on
the package's own terms (no date counts against a loaded package: evidence that has expired
since does not make the stated winner an error). Exports carry it for an awarded evaluation
whose award names a winner.

What the package may say depends on the database too (who its evaluators are, which door
loads it): ``parse_package`` takes a ``vet`` callback for those checks, so every problem is
listed together; it stays pure when none is given.
"""

from .parsing import parse_package
from .schema import (
    AMOUNT_FIELDS,
    APPLIES_TO,
    BID_KEYS,
    BID_MODELS,
    CANDIDATE_STATUSES,
    CRITERION_KEYS,
    DOCUMENT_KINDS,
    EVALUATION_KEYS,
    KINDS,
    MAX_DECIMALS,
    MAX_HEADCOUNT,
    MAX_NUMBER,
    MAX_TEXT,
    MISSING,
    MODELS,
    ORGANIZATION_KEYS,
    OUTCOMES,
    PACKAGE_FORMAT,
    POLICIES,
    SLUG,
    STATUSES,
    TOP_KEYS,
    BidData,
    CriterionData,
    Package,
    PackageError,
    Reader,
    loads,
    vendor_key,
)

__all__ = [
    "AMOUNT_FIELDS",
    "APPLIES_TO",
    "BID_KEYS",
    "BID_MODELS",
    "BidData",
    "CANDIDATE_STATUSES",
    "CRITERION_KEYS",
    "CriterionData",
    "DOCUMENT_KINDS",
    "EVALUATION_KEYS",
    "KINDS",
    "MAX_DECIMALS",
    "MAX_HEADCOUNT",
    "MAX_NUMBER",
    "MAX_TEXT",
    "MISSING",
    "MODELS",
    "ORGANIZATION_KEYS",
    "OUTCOMES",
    "PACKAGE_FORMAT",
    "POLICIES",
    "Package",
    "PackageError",
    "Reader",
    "SLUG",
    "STATUSES",
    "TOP_KEYS",
    "loads",
    "parse_package",
    "vendor_key",
]
