"""Two envelopes: evaluators open a bid's technical documents while they score; its commercial ones
(prices) stay sealed to them until they submit, on the bid page and the download alike. The envelope
travels in the package; a record without one counts as prices."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from scoring import services
from scoring.models import BidDocument, Envelope
from scoring.package import export, loads, parse_package
from scoring.package.schema import PackageError
from tests.conftest import client_for
from tests.scoring.factories import assign, contract_example, load, make_bid, make_evaluation, start_scoring

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def sealed(procurement, evaluator):
    """An evaluation in scoring with sealed prices; Evan assigned, not submitted; Acme's narrative and price sheet."""
    evaluation = make_evaluation(procurement, sealed_prices=True)
    bid = make_bid(evaluation, "Acme Managed IT")
    (evan,) = assign(evaluation, evaluator)
    narrative, prices = (
        services.document_upload(
            bid=bid, kind="proposal", envelope=envelope, upload=SimpleUploadedFile(name, PDF), by=procurement
        )
        for name, envelope in (("narrative.pdf", Envelope.TECHNICAL), ("prices.pdf", Envelope.COMMERCIAL))
    )
    return start_scoring(evaluation), bid, evan, narrative, prices


def document_url(document: BidDocument) -> str:
    return f"/evaluations/{document.bid.evaluation_id}/bids/{document.bid_id}/documents/{document.pk}/"


def test_a_blind_evaluator_opens_the_technical_envelope_only(sealed, evaluator):
    evaluation, bid, _, narrative, prices = sealed
    client = client_for(evaluator)

    assert client.get(document_url(narrative)).getvalue() == PDF
    refused = client.get(document_url(prices))
    assert refused.status_code == 403
    assert "This document holds prices" in refused.content.decode()

    page = client.get(bid.get_absolute_url()).content.decode()
    assert f'href="{document_url(narrative)}"' in page
    assert f'href="{document_url(prices)}"' not in page
    assert "sealed" in page


def test_once_submitted_the_evaluator_opens_both(sealed, evaluator):
    evaluation, bid, evan, narrative, prices = sealed
    services.scorecard_save(
        assignment=evan,
        entries={(b.pk, q.pk): (3, "") for b, questions in services.scorecard_slots(evan) for q in questions},
        submit=True,
    )

    client = client_for(evaluator)
    assert client.get(document_url(prices)).getvalue() == PDF
    assert f'href="{document_url(prices)}"' in client.get(bid.get_absolute_url()).content.decode()


def test_the_owner_opens_both_while_prices_are_sealed(sealed, procurement):
    _, _, _, narrative, prices = sealed
    client = client_for(procurement)
    assert [client.get(document_url(d)).status_code for d in (narrative, prices)] == [200, 200]


def test_an_upload_records_its_envelope(sealed, procurement):
    evaluation, bid, *_ = sealed
    client_for(procurement).post(
        f"/evaluations/{evaluation.pk}/bids/{bid.pk}/documents/new/",
        {"kind": "sla", "envelope": "technical", "file": SimpleUploadedFile("sla.pdf", PDF, "application/pdf")},
    )
    assert BidDocument.objects.get(name="sla.pdf").envelope == "technical"


def test_the_envelope_travels_in_the_package_and_a_record_without_one_holds_prices(procurement):
    data = contract_example()
    documents = data["bids"][0].setdefault("documents", [])
    documents += [
        {"kind": "proposal", "envelope": "technical", "name": "narrative.pdf", "size": 10, "sha256": "a" * 64},
        {"kind": "other", "name": "prices.xlsx", "size": 20, "sha256": "b" * 64},  # no envelope
        {"kind": "other", "envelope": None, "name": "rates.pdf", "size": 30, "sha256": "c" * 64},
    ]

    evaluation = load(procurement, data)

    stored = dict(BidDocument.objects.filter(bid__evaluation=evaluation).values_list("name", "envelope"))
    assert stored == {"narrative.pdf": "technical", "prices.xlsx": "commercial", "rates.pdf": "commercial"}
    exported = {d["name"]: d["envelope"] for b in export.evaluation_export(evaluation)["bids"] for d in b["documents"]}
    assert exported == stored


def test_an_unknown_envelope_is_named_in_the_problems():
    data = contract_example()
    data["bids"][0]["documents"] = [
        {"kind": "other", "envelope": "secret", "name": "x.pdf", "size": 1, "sha256": "d" * 64}
    ]

    with pytest.raises(PackageError) as refused:
        parse_package(loads(json.dumps(data)))

    assert "bids[0].documents[0].envelope: must be one of technical, commercial" in refused.value.errors
