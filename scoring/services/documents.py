"""Bid documents and reference checks: uploads checked by their content, withdrawals kept on the record."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from scoring.models import (
    Bid,
    BidDocument,
    DocumentKind,
    DocumentMismatch,
    Envelope,
    ReferenceCheck,
    Requirement,
)
from scoring.results import refresh_ranking
from scoring.services.changes import announce
from scoring.services.common import retire
from scoring.services.locking import ensure_writable
from vendors.models import ClientReference

logger = logging.getLogger(__name__)


# File types a bid's documents may have, told by their first bytes, not their name.
DOCUMENT_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


def check_document_file(upload: Any) -> None:
    """A bid document is one of the accepted types, by its first bytes, and within the size limit."""
    if upload.size > settings.MAX_DOCUMENT_BYTES:
        raise ValidationError(f"The file is larger than {settings.MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.")
    extension = ("." + upload.name.rsplit(".", 1)[-1].lower()) if "." in upload.name else ""
    signatures = DOCUMENT_SIGNATURES.get(extension)
    head = upload.read(16)
    upload.seek(0)
    if signatures is None or not head.startswith(signatures):
        raise ValidationError("Upload a PDF, Word (.docx), Excel (.xlsx), PNG or JPEG file.")


def verified_file(document: BidDocument, *, by: AbstractBaseUser | None, door: str) -> Any | None:
    """The document's stored file, open at its start, if its bytes still have the SHA-256 taken at upload.

    A file that is gone or changed is never served: the mismatch is recorded (``DocumentMismatch``,
    with ``door``, where it was asked for) and None returned. Every way out of a document calls this.
    """
    found = ""
    try:
        handle = document.file.open("rb")
    except OSError:
        handle = None
    if handle is not None:
        digest = hashlib.sha256()
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
        found = digest.hexdigest()
        if found == document.sha256:
            handle.seek(0)
            return handle
        handle.close()
    DocumentMismatch.objects.create(document=document, noticed_by=by, door=door, found_sha256=found)
    logger.warning("document %s not served at %s: stored file %s", document.pk, door, found or "missing")
    return None


def checked_upload(
    *, evaluation_id: int, kind: str, upload: Any, envelope: str, requirement: Requirement | None, expires_on: Any
) -> tuple[Requirement | None, Any, str]:
    """What every door that takes a bid's file checks: its type and size, its envelope, and for evidence the
    requirement it proves and an expiry not past. Returns (requirement, expires_on, SHA-256), the first two
    cleared for a document that is not evidence."""
    try:
        check_document_file(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    if kind == DocumentKind.EVIDENCE:
        if requirement is None or requirement.evaluation_id != evaluation_id:
            raise ValidationError({"requirement": "Say which mandatory requirement this evidence proves."})
        if expires_on is not None and expires_on < timezone.localdate():
            raise ValidationError({"expires_on": "This evidence has already expired; upload a current one."})
    else:
        requirement, expires_on = None, None
    if envelope not in Envelope.values:
        raise ValidationError({"envelope": "Say whether the document is technical or holds prices."})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return requirement, expires_on, digest.hexdigest()


def store_file(document: Any, upload: Any) -> None:
    """Write the upload under a private name, then the document's row (a bid's, or a sealed response's); the
    file is written first, so if the row never commits the file goes too."""
    upload.seek(0)
    document.file.save(upload.name, upload, save=False)
    stored_name = document.file.name
    try:
        document.full_clean()
        document.save()
    except Exception:
        document.file.storage.delete(stored_name)
        raise


@transaction.atomic
def document_upload(
    *,
    bid: Bid,
    kind: str,
    upload: Any,
    by: AbstractBaseUser,
    envelope: str = Envelope.COMMERCIAL,
    requirement: Requirement | None = None,
    expires_on: Any = None,
) -> BidDocument:
    """Store a bid's file privately with its SHA-256; evidence names the requirement it proves."""
    ensure_writable(bid.evaluation)
    requirement, expires_on, sha256 = checked_upload(
        evaluation_id=bid.evaluation_id,
        kind=kind,
        upload=upload,
        envelope=envelope,
        requirement=requirement,
        expires_on=expires_on,
    )
    document = BidDocument(
        bid=bid,
        kind=kind,
        envelope=envelope,
        name=upload.name[:200],
        content_type=getattr(upload, "content_type", "") or "application/octet-stream",
        size=upload.size,
        sha256=sha256,
        requirement=requirement,
        expires_on=expires_on,
        uploaded_by=by,
    )
    store_file(document, upload)
    if kind == DocumentKind.EVIDENCE:
        refresh_ranking(bid.evaluation)
        announce(bid.evaluation, f"evidence {document.name} added to the bid from {bid.vendor_name}", "")
    return document


@transaction.atomic
def document_withdraw(*, document: BidDocument, reason: str) -> BidDocument:
    return retire(
        document,
        field="withdrawn_at",
        reason=reason,
        missing_reason="Say why the document is withdrawn.",
        changes_ranking=document.kind == DocumentKind.EVIDENCE,
    )


@transaction.atomic
def reference_check_create(
    *, bid: Bid, reference: ClientReference, checked_on: Any, outcome: str, notes: str, by: AbstractBaseUser
) -> ReferenceCheck:
    ensure_writable(bid.evaluation)
    if reference.msp_id != bid.msp_id:
        raise ValidationError({"reference": "That reference belongs to another MSP."})
    if checked_on > timezone.localdate():
        raise ValidationError({"checked_on": "A reference can't be checked in the future."})
    check = ReferenceCheck(
        bid=bid, reference=reference, checked_on=checked_on, outcome=outcome, notes=notes.strip(), checked_by=by
    )
    check.full_clean()
    check.save()
    return check
