"""A stored document is served only while its bytes have the SHA-256 taken at upload: through the
download and through evidence.zip, which carries the files beside their digests. A file changed or
gone on disk is refused, the refusal recorded (``DocumentMismatch``) and shown in the trail."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from scoring import selectors, services
from scoring.models import BidDocument, DocumentMismatch
from tests.conftest import client_for
from tests.scoring.factories import make_bid, make_evaluation

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"
SHEET = b"PK\x03\x04 a price sheet"


@pytest.fixture
def stored(procurement):
    """An evaluation with two bids: Acme's proposal and price sheet, Bolt's proposal."""
    evaluation = make_evaluation(procurement)
    acme, bolt = make_bid(evaluation, "Acme Managed IT"), make_bid(evaluation, "Bolt/IT")
    files = [(acme, "proposal.pdf", PDF), (acme, "prices.xlsx", SHEET), (bolt, "proposal.pdf", PDF + b"bolt")]
    documents = [
        services.document_upload(bid=bid, kind="proposal", upload=SimpleUploadedFile(name, content), by=procurement)
        for bid, name, content in files
    ]
    return evaluation, documents


def download(user, document):
    return client_for(user).get(
        f"/evaluations/{document.bid.evaluation_id}/bids/{document.bid_id}/documents/{document.pk}/"
    )


def tamper(document: BidDocument, content: bytes | None) -> None:
    path = Path(document.file.path)
    if content is None:
        path.unlink()
    else:
        path.write_bytes(content)


def test_an_intact_file_is_served(procurement, stored):
    _, (proposal, _, _) = stored

    response = download(procurement, proposal)

    assert response.status_code == 200 and response.getvalue() == PDF
    assert DocumentMismatch.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "found"), [(b"%PDF-1.7 changed", hashlib.sha256(b"%PDF-1.7 changed").hexdigest()), (None, "")]
)
def test_a_changed_or_missing_file_is_refused_and_recorded(procurement, stored, content, found):
    evaluation, (proposal, _, _) = stored
    tamper(proposal, content)

    response = client_for(procurement).get(
        f"/evaluations/{evaluation.pk}/bids/{proposal.bid_id}/documents/{proposal.pk}/", follow=True
    )

    assert response.redirect_chain[-1][0] == proposal.bid.get_absolute_url()
    assert "proposal.pdf was not served: the stored file no longer matches" in response.content.decode()
    mismatch = DocumentMismatch.objects.get()
    assert (mismatch.document, mismatch.noticed_by, mismatch.door, mismatch.found_sha256) == (
        proposal, procurement, "download", found,
    )  # fmt: skip
    trail = [e for e in selectors.evaluation_history(evaluation) if e.kind == "DocumentMismatch"]
    assert [e.record for e in trail] == [
        "DocumentMismatch: stored file not served at download: it no longer matches its SHA-256"
    ]


def test_evidence_zip_holds_the_files_beside_their_digests(auditor, stored):
    evaluation, (proposal, prices, bolt) = stored

    response = client_for(auditor).get(f"/evaluations/{evaluation.pk}/evidence.zip")

    archive = zipfile.ZipFile(io.BytesIO(response.getvalue()))
    acme_proposal = f"Acme Managed IT/{proposal.pk}-proposal.pdf"
    acme_prices = f"Acme Managed IT/{prices.pk}-prices.xlsx"
    bolt_proposal = f"Bolt_IT/{bolt.pk}-proposal.pdf"  # no folder separator from a name
    assert archive.read(f"documents/{acme_proposal}") == PDF
    assert archive.read(f"documents/{acme_prices}") == SHEET
    assert archive.read(f"documents/{bolt_proposal}") == PDF + b"bolt"
    # sha256sum's own format, so `sha256sum -c SHA256SUMS` checks them in the folder.
    assert archive.read("documents/SHA256SUMS").decode().splitlines() == [
        f"{hashlib.sha256(PDF).hexdigest()}  {acme_proposal}",
        f"{hashlib.sha256(SHEET).hexdigest()}  {acme_prices}",
        f"{hashlib.sha256(PDF + b'bolt').hexdigest()}  {bolt_proposal}",
    ]
    listed = list(csv.DictReader(io.StringIO(archive.read("documents/documents.csv").decode())))
    assert [(row["path"], row["file"]) for row in listed] == [
        (acme_proposal, "included"), (acme_prices, "included"), (bolt_proposal, "included"),
    ]  # fmt: skip


def test_evidence_zip_leaves_a_changed_file_out_and_records_it(auditor, stored):
    evaluation, (proposal, prices, _) = stored
    tamper(prices, b"PK\x03\x04 a lower price")

    response = client_for(auditor).get(f"/evaluations/{evaluation.pk}/evidence.zip")

    archive = zipfile.ZipFile(io.BytesIO(response.getvalue()))
    assert not [name for name in archive.namelist() if "prices.xlsx" in name]
    assert "prices.xlsx" not in archive.read("documents/SHA256SUMS").decode()
    listed = {row["name"]: row for row in csv.DictReader(io.StringIO(archive.read("documents/documents.csv").decode()))}
    assert listed["prices.xlsx"]["file"] == "left out: the stored file no longer matches its SHA-256"
    assert listed["prices.xlsx"]["sha256"] == hashlib.sha256(SHEET).hexdigest()  # what it should be
    mismatch = DocumentMismatch.objects.get()
    assert (mismatch.document, mismatch.noticed_by, mismatch.door) == (prices, auditor, "evidence.zip")
