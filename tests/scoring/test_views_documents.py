"""Bid documents, requirement evidence and its expiry, and reference checks."""

import datetime as dt
import hashlib

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from scoring import services
from scoring.models import BidDocument, ReferenceCheck, RequirementTemplate
from tests.conftest import client_for, make_user
from tests.scoring.factories import assign, make_bid, make_evaluation
from vendors import services as vendor_services

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def setup(procurement):
    evaluation = make_evaluation(
        procurement, requirement_templates=RequirementTemplate.objects.filter(key="soc2-report")
    )
    bid = make_bid(evaluation, requirements_met=list(evaluation.requirements.all()))
    return evaluation, bid


def upload(client, evaluation, bid, **fields):
    data = {
        "kind": "proposal",
        "envelope": "commercial",
        "file": SimpleUploadedFile("proposal.pdf", PDF, "application/pdf"),
    }
    data.update(fields)
    return client.post(f"/evaluations/{evaluation.pk}/bids/{bid.pk}/documents/new/", data)


def test_it_stores_a_document_privately_with_its_digest(procurement, setup):
    evaluation, bid = setup
    response = upload(client_for(procurement), evaluation, bid)
    assert response.status_code == 302
    document = BidDocument.objects.get()
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (document.size, document.name, document.uploaded_by) == (len(PDF), "proposal.pdf", procurement)
    assert "proposal" not in document.file.name  # stored under a random name
    assert document.history.get().history_user == procurement


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("evil.exe", b"MZ\x90\x00", "application/pdf"), "Upload a PDF"),
        (SimpleUploadedFile("fake.pdf", b"<html>", "application/pdf"), "Upload a PDF"),
    ],
)
def test_it_refuses_other_file_types_beside_the_field(procurement, setup, file, message):
    evaluation, bid = setup
    response = upload(client_for(procurement), evaluation, bid, file=file)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["file"])
    assert not BidDocument.objects.exists()


def test_it_refuses_a_file_over_the_limit(procurement, setup, settings):
    settings.MAX_DOCUMENT_BYTES = 20
    evaluation, bid = setup
    response = upload(client_for(procurement), evaluation, bid)
    assert "larger than" in str(response.context["form"].errors["file"])
    assert not BidDocument.objects.exists()


def test_it_refuses_evidence_that_has_already_expired(procurement, setup):
    evaluation, bid = setup
    requirement = evaluation.requirements.get()
    response = upload(
        client_for(procurement),
        evaluation,
        bid,
        kind="evidence",
        requirement=requirement.pk,
        expires_on=(dt.date.today() - dt.timedelta(days=1)).isoformat(),
    )
    assert "already expired" in str(response.context["form"].errors["expires_on"])
    assert not BidDocument.objects.exists()


def test_expired_evidence_makes_the_requirement_unmet_and_changes_the_ranking(procurement, setup):
    evaluation, bid = setup
    requirement = evaluation.requirements.get()
    services.document_upload(
        bid=bid,
        kind="evidence",
        upload=SimpleUploadedFile("soc2.pdf", PDF, "application/pdf"),
        requirement=requirement,
        expires_on=dt.date.today() + dt.timedelta(days=10),
        by=procurement,
    )
    assert services.stored_ranking(evaluation)["ranking"][0]["status"] == "ranked"
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=11), tick=False):
        row = services.stored_ranking(evaluation)["ranking"][0]
        assert (row["status"], row["red_flags"]) == ("disqualified", ["unmet:soc2-report"])


def test_it_serves_documents_only_to_those_who_may_see_them(procurement, executive, evaluator, setup):
    evaluation, bid = setup
    upload(client_for(procurement), evaluation, bid)
    document = BidDocument.objects.get()
    url = f"/evaluations/{evaluation.pk}/bids/{bid.pk}/documents/{document.pk}/"
    response = client_for(executive).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert client_for(make_user("outsider", "Procurement")).get(url).status_code == 404
    assign(evaluation, evaluator)
    assert client_for(evaluator).get(url).status_code == 403  # prices are sealed until they submit
    other = make_bid(evaluation, vendor="Other IT")
    assert (
        client_for(executive).get(f"/evaluations/{evaluation.pk}/bids/{other.pk}/documents/{document.pk}/").status_code
        == 404
    )


def test_it_records_a_reference_check_for_the_bid(procurement, setup):
    evaluation, bid = setup
    reference = vendor_services.reference_create(msp=bid.msp, client="Harbor Clinic")
    client = client_for(procurement)
    page = client.get(bid.get_absolute_url())
    assert b"none checked for this bid yet" in page.content
    response = client.post(
        f"/evaluations/{evaluation.pk}/bids/{bid.pk}/reference-checks/new/",
        {"reference": reference.pk, "checked_on": dt.date.today().isoformat(), "outcome": "positive", "notes": "Fast."},
    )
    assert response.status_code == 302
    check = ReferenceCheck.objects.get()
    assert (check.checked_by, check.outcome, check.notes) == (procurement, "positive", "Fast.")
    assert b"Harbor Clinic" in client.get(bid.get_absolute_url()).content


def test_it_refuses_a_reference_of_another_msp(procurement, setup):
    evaluation, bid = setup
    other = vendor_services.msp_create(name="Elsewhere IT", offers_fully_managed=True)
    reference = vendor_services.reference_create(msp=other, client="Not theirs")
    response = client_for(procurement).post(
        f"/evaluations/{evaluation.pk}/bids/{bid.pk}/reference-checks/new/",
        {"reference": reference.pk, "checked_on": dt.date.today().isoformat(), "outcome": "positive"},
    )
    assert response.status_code == 200 and "reference" in response.context["form"].errors
    assert not ReferenceCheck.objects.exists()
