"""The evaluators' declaration: an evaluator signs a statement of no undeclared conflict and of
confidentiality before the bids open to them, through every page of the evaluation; the owner sees who
has signed; the statements go into evidence.zip; a package records none."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.urls import reverse

from scoring import services
from scoring import urls as scoring_urls
from scoring.models import Declaration
from tests.conftest import client_for
from tests.scoring.factories import assign, load, make_bid, make_evaluation, scored_package, start_scoring


@pytest.fixture
def unsigned(procurement, evaluator):
    evaluation = make_evaluation(procurement, title="Managed IT 2027")
    make_bid(evaluation, "Acme Managed IT")
    (assignment,) = assign(evaluation, evaluator, signed=False)
    return start_scoring(evaluation), assignment


def evaluation_pages(evaluation) -> list[str]:
    """Every page of the evaluation its address alone names (the declaration aside)."""
    return [
        reverse(f"scoring:{p.name}", args=[evaluation.pk])
        for p in scoring_urls.urlpatterns
        if str(p.pattern).startswith("<int:pk>/") and str(p.pattern).count("<") == 1 and p.name != "declaration"
    ]


def test_an_unsigned_evaluator_is_sent_to_the_declaration_from_every_page(unsigned, evaluator):
    evaluation, _ = unsigned
    client = client_for(evaluator)
    declaration = reverse("scoring:declaration", args=[evaluation.pk])

    landed = {url: client.get(url) for url in evaluation_pages(evaluation)}
    pages = {url: r for url, r in landed.items() if r.status_code != 405}  # the POST-only addresses aside

    assert len(pages) > 20
    assert {url: (r.status_code, r.get("Location")) for url, r in pages.items()} == dict.fromkeys(
        pages, (302, declaration)
    )
    page = client.get(declaration).content.decode()
    assert "Acme Managed IT" in page  # whom a conflict could be with: names only
    assert "bidding in “Managed IT 2027”" in page


def test_signing_records_the_words_the_name_and_the_moment_then_the_bids_open(unsigned, evaluator):
    evaluation, assignment = unsigned
    client = client_for(evaluator)
    url = reverse("scoring:declaration", args=[evaluation.pk])

    response = client.post(url, {"agree": "on", "signed_name": "  Evan   Evaluator "})

    assert response["Location"] == reverse("scoring:scorecard", args=[evaluation.pk])
    declaration = Declaration.objects.get()
    assert (declaration.assignment, declaration.signed_name) == (assignment, "Evan Evaluator")
    assert declaration.text.startswith("I have no conflict of interest with any MSP bidding in “Managed IT 2027”")
    assert declaration.history.get().history_user == evaluator
    assert client.get(reverse("scoring:dashboard", args=[evaluation.pk])).status_code == 200


@pytest.mark.parametrize("data", [{"signed_name": "Evan"}, {"agree": "on", "signed_name": "   "}, {}])
def test_an_unticked_or_unnamed_signature_signs_nothing(unsigned, evaluator, data):
    evaluation, _ = unsigned

    response = client_for(evaluator).post(reverse("scoring:declaration", args=[evaluation.pk]), data)

    assert response.status_code == 200
    assert "This field is required." in response.content.decode() or "Type your name" in response.content.decode()
    assert Declaration.objects.count() == 0


def test_the_owner_and_those_who_do_not_score_are_not_asked(unsigned, procurement, executive, auditor):
    evaluation, _ = unsigned
    assign(evaluation, procurement, signed=False)  # the owner scores too: they recorded the bids
    dashboard = reverse("scoring:dashboard", args=[evaluation.pk])
    assert [client_for(u).get(dashboard).status_code for u in (procurement, executive, auditor)] == [200, 200, 200]


def test_the_owner_sees_who_has_signed(unsigned, procurement, evaluator):
    evaluation, assignment = unsigned
    dashboard = reverse("scoring:dashboard", args=[evaluation.pk])
    assert "declaration not signed yet" in client_for(procurement).get(dashboard).content.decode()

    services.declaration_sign(assignment=assignment, signed_name="Evan Evaluator")

    assert "declaration signed" in client_for(procurement).get(dashboard).content.decode()


def test_evidence_zip_carries_the_signed_statements(unsigned, auditor):
    evaluation, assignment = unsigned
    signed = services.declaration_sign(assignment=assignment, signed_name="Evan Evaluator")

    response = client_for(auditor).get(reverse("scoring:evidence", args=[evaluation.pk]))

    rows = list(
        csv.DictReader(io.StringIO(zipfile.ZipFile(io.BytesIO(response.getvalue())).read("declarations.csv").decode()))
    )
    assert rows == [
        {
            "signed_at": signed.signed_at.isoformat(),
            "evaluator": assignment.evaluator.username,
            "signed_name": "Evan Evaluator",
            "statement": signed.text,
        }
    ]


def test_a_package_records_no_declaration_and_sends_no_mail(procurement, mailoutbox):
    load(procurement, scored_package(2))
    assert Declaration.objects.count() == 0
    assert mailoutbox == []
