"""The ranking downloads (JSON, CSV, XLSX), the package download and upload, and the query budgets.

The ranked evaluation used here, worked by hand. Fully managed, 12 months, 10
employees; the library's five fully managed questions (weight 15 each, 75
together) and price (weight 25). Evan scored Acme 4 and Beacon 5 on every
question (and Cobalt 1) and submitted.

    Acme    per user, 150 × 10 employees   M = 1,500   TCO = 1,500 × 12 = 18,000
    Beacon  flat                           M = 2,000   TCO = 2,000 × 12 = 24,000
    Cobalt  flat, no references, "best effort" SLA:
            M = 500, TCO = 6,000; flags no-clear-sla and no-references: disqualified

    price %: the cheapest eligible TCO is Acme's 18,000
             Acme 18,000 / 18,000 = 100%      Beacon 18,000 / 24,000 = 75%
    Acme   questions 4/5 = 80%:  (75 × 80 + 25 × 100) / 100 = (6,000 + 2,500) / 100 = 85.00
    Beacon questions 5/5 = 100%: (75 × 100 + 25 × 75) / 100 = (7,500 + 1,875) / 100 = 93.75

    Beacon ranks 1, Acme 2; Cobalt follows, disqualified, with no rank and no total.
"""

from __future__ import annotations

import csv
import io
import json
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from scoring import services
from scoring.models import Bid, Evaluation
from scoring.package import loads, parse_package
from tests.conftest import client_for, page_queries
from vendors.models import MSP

from .factories import (
    CONTRACT_EXAMPLE,
    D,
    assign,
    contract_example,
    load,
    make_bid,
    make_evaluation,
    messages_of,
    questions,
    score,
    scored_package,
    start_scoring,
    stored_document,
)


@pytest.fixture
def ranked(procurement, evaluator) -> SimpleNamespace:
    evaluation = make_evaluation(procurement)
    make_bid(evaluation, "Acme Managed IT", pricing_model="per_user", rate=D(150), monthly_fee=None)
    make_bid(evaluation, "Beacon IT", monthly_fee=D(2000))
    make_bid(evaluation, "Cobalt Networks", monthly_fee=D(500), references_offered=0, sla_best_effort=True)
    [evan] = assign(evaluation, evaluator)
    evaluation = start_scoring(evaluation)
    score(evan, {"Acme Managed IT": 4, "Beacon IT": 5, "Cobalt Networks": 1})
    return SimpleNamespace(evaluation=evaluation, keys=[q.key for q in questions(evaluation)], evan=evan)


def url(evaluation: Evaluation, rest: str = "") -> str:
    return f"/evaluations/{evaluation.pk}/{rest}"


# ranking.json


def test_it_downloads_the_ranking_in_the_contract_format(ranked, procurement):
    response = client_for(procurement).get(url(ranked.evaluation, "ranking.json"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "format": "msp-eval-ranking/1",
        "evaluation": "Managed IT services 2027",
        "model": "fully_managed",
        "term_months": 12,
        "red_flag_policy": "disqualify",
        "ranking": [
            {
                "rank": 1,
                "vendor": "Beacon IT",
                "model": "fully_managed",
                "status": "ranked",
                "complete": True,
                "total": 93.75,
                "monthly_cost": 2000.0,
                "tco": 24000.0,
                "red_flags": [],
                "criteria": {**dict.fromkeys(ranked.keys, 100.0), "price": 75.0},
            },
            {
                "rank": 2,
                "vendor": "Acme Managed IT",
                "model": "fully_managed",
                "status": "ranked",
                "complete": True,
                "total": 85.0,
                "monthly_cost": 1500.0,
                "tco": 18000.0,
                "red_flags": [],
                "criteria": {**dict.fromkeys(ranked.keys, 80.0), "price": 100.0},
            },
            {
                "rank": None,
                "vendor": "Cobalt Networks",
                "model": "fully_managed",
                "status": "disqualified",
                "complete": False,
                "total": None,
                "monthly_cost": 500.0,
                "tco": 6000.0,
                "red_flags": ["no-clear-sla", "no-references"],
                "criteria": {},
            },
        ],
    }


def test_it_writes_numbers_as_json_numbers(ranked, procurement):
    response = client_for(procurement).get(url(ranked.evaluation, "ranking.json"))

    first = json.loads(response.content)["ranking"][0]
    assert type(first["rank"]) is int
    assert all(type(first[key]) is float for key in ("total", "monthly_cost", "tco"))
    assert all(type(value) is float for value in first["criteria"].values())
    assert '"total": 93.75' in response.text
    assert '"rank": 1,' in response.text


def test_it_names_the_ranking_download_after_the_evaluation(ranked, procurement):
    response = client_for(procurement).get(url(ranked.evaluation, "ranking.json"))

    assert response["Content-Disposition"] == (
        f'inline; filename="managed-it-services-2027-{ranked.evaluation.pk}-ranking.json"'
    )


# ranking.csv


def test_it_downloads_the_ranking_as_csv(ranked, procurement):
    response = client_for(procurement).get(url(ranked.evaluation, "ranking.csv"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="managed-it-services-2027-{ranked.evaluation.pk}-ranking.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["rank", "vendor", "model", "status", "complete", "total", "monthly_cost", "tco", "red_flags", *ranked.keys, "price"],
        ["1", "Beacon IT", "fully_managed", "ranked", "true", "93.75", "2000.00", "24000.00", "", *["100.00"] * 5, "75.00"],
        ["2", "Acme Managed IT", "fully_managed", "ranked", "true", "85.00", "1500.00", "18000.00", "", *["80.00"] * 5, "100.00"],
        ["", "Cobalt Networks", "fully_managed", "disqualified", "false", "", "500.00", "6000.00", "no-clear-sla;no-references", *[""] * 6],
    ]  # fmt: skip


# ranking.xlsx


def test_it_downloads_the_ranking_as_xlsx_with_the_csv_columns(ranked, procurement):
    client = client_for(procurement)
    header = next(csv.reader(io.StringIO(client.get(url(ranked.evaluation, "ranking.csv")).content.decode())))

    response = client.get(url(ranked.evaluation, "ranking.xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == header
    assert rows[1] == [1, "Beacon IT", "fully_managed", "ranked", True, 93.75, 2000, 24000, None, *[100] * 5, 75]
    assert rows[3][:9] == [None, "Cobalt Networks", "fully_managed", "disqualified", False, None, 500, 6000,
                           "no-clear-sla;no-references"]  # fmt: skip
    assert len(rows) == 4


# package.json


@pytest.mark.parametrize("user_fixture", ["procurement", "executive", "auditor", "admin_user"])
def test_it_downloads_the_package_for_the_owner_and_readers(request, ranked, user_fixture):
    response = client_for(request.getfixturevalue(user_fixture)).get(url(ranked.evaluation, "package.json"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        f'attachment; filename="managed-it-services-2027-{ranked.evaluation.pk}-package.json"'
    )
    package = parse_package(loads(response.content))
    assert [b.vendor for b in package.bids] == ["Acme Managed IT", "Beacon IT", "Cobalt Networks"]
    assert package.submitted == ["evan"]


def test_it_refuses_the_package_to_an_evaluator_even_after_submitting(ranked, evaluator):
    client = client_for(evaluator)

    assert client.get(url(ranked.evaluation, "ranking.json")).status_code == 200
    assert client.get(url(ranked.evaluation, "package.json")).status_code == 403


def test_it_round_trips_the_package_to_the_same_ranking(ranked, procurement, admin_user):
    exported = client_for(procurement).get(url(ranked.evaluation, "package.json")).content

    response = client_for(admin_user).post(
        "/evaluations/import/", {"package": SimpleUploadedFile("round-trip.json", exported)}
    )

    copy = Evaluation.objects.exclude(pk=ranked.evaluation.pk).get()
    assert response.status_code == 302
    assert copy.owner == admin_user
    assert stored_document(copy) == stored_document(ranked.evaluation)
    # The bids join the MSPs already in the registry instead of duplicating them.
    assert MSP.objects.count() == 3


# Uploading a package


def upload(client, content: bytes, name: str = "package.json"):
    return client.post("/evaluations/import/", {"package": SimpleUploadedFile(name, content)})


def row_counts() -> dict[str, int]:
    from django.contrib.auth.models import User

    return {
        "evaluations": Evaluation.objects.count(),
        "bids": Bid.objects.count(),
        "msps": MSP.objects.count(),
        "users": User.objects.count(),
    }


def test_it_loads_a_valid_package_owned_by_the_uploader(procurement):
    client = client_for(procurement)

    response = upload(client, CONTRACT_EXAMPLE.read_bytes())

    evaluation = Evaluation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(evaluation)
    assert evaluation.owner == procurement
    assert messages_of(response)[-1] == "Loaded “Managed IT services 2027” with 1 bids."
    # Acme: M = 150 × 120 employees = 18,000; TCO = 18,000 × 36 + 5,000 onboarding = 653,000.
    # sla-guarantee: Alice's 4 → 80%; price: the only bid → 100%.
    # total = (20 × 80 + 30 × 100) / (20 + 30) = (1,600 + 3,000) / 50 = 92.00
    [row] = stored_document(evaluation)["ranking"]
    assert (row["rank"], row["total"], row["monthly_cost"], row["tco"]) == (1, 92.0, 18000.0, 653000.0)
    alice = evaluation.evaluators.get()
    assert (alice.username, alice.has_usable_password()) == ("alice", False)
    assert list(alice.groups.values_list("name", flat=True)) == ["Evaluator"]


def test_it_refuses_an_invalid_package_listing_every_problem_and_writes_nothing(procurement):
    data = contract_example()
    data["evaluation"]["term_months"] = 0
    del data["bids"][0]["rate"]
    data["bids"][0]["colour"] = "blue"
    data["scores"][0]["score"] = 7
    before = row_counts()

    response = upload(client_for(procurement), json.dumps(data).encode())

    assert response.status_code == 400
    assert sorted(response.context["problems"]) == [
        "bids[0].colour: unknown key",
        "bids[0].rate: required for pricing_model per_user",
        "evaluation.term_months: must be ≥ 1",
        "scores[0].score: must be ≤ 5",
    ]
    assert "bids[0].rate: required for pricing_model per_user" in response.text
    assert row_counts() == before


def test_it_refuses_a_package_the_loader_rejects_and_writes_nothing(procurement):
    # Alice declared a conflict with Acme yet scored it: valid JSON, refused when loading.
    data = {**contract_example(), "conflicts": [{"evaluator": "alice", "vendor": "Acme Managed IT", "note": ""}]}
    before = row_counts()

    response = upload(client_for(procurement), json.dumps(data).encode())

    assert response.status_code == 400
    assert response.context["problems"] == ["scores[0]: alice declared a conflict with Acme Managed IT"]
    assert row_counts() == before


@pytest.mark.parametrize(
    "content",
    [b'{"format": "msp-eval/1", ', b"not json at all", b"\xff\xfe\x00garbage", b'{"a": NaN}', b""],
    ids=["truncated", "text", "binary", "nan", "empty"],
)
def test_it_explains_malformed_json_without_failing(procurement, content):
    before = row_counts()

    response = upload(client_for(procurement), content)

    assert response.status_code == 400 or "package" in response.context["form"].errors
    if response.status_code == 400:
        [problem] = response.context["problems"]
        assert problem.startswith("(document): not valid JSON")
    assert row_counts() == before


def test_it_explains_deeply_nested_json_without_failing(procurement):
    response = upload(client_for(procurement), b"[" * 100_000 + b"]" * 100_000)

    assert response.status_code == 400
    assert response.context["problems"][0].startswith("(document):")


@pytest.mark.parametrize("document", [[], "package", 36, None], ids=["list", "string", "number", "null"])
def test_it_refuses_a_document_that_is_not_an_object(procurement, document):
    response = upload(client_for(procurement), json.dumps(document).encode())

    assert response.status_code == 400
    assert response.context["problems"] == ["(document): must be an object"]
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize("name", ["package.txt", "package.json.exe", "package", "package.csv"])
def test_it_refuses_a_file_that_is_not_json_beside_the_field(procurement, name):
    response = upload(client_for(procurement), CONTRACT_EXAMPLE.read_bytes(), name=name)

    assert response.status_code in (200, 400)
    assert response.context["form"].errors == {"package": ["Upload a .json file (an msp-eval/1 package)."]}
    assert "Upload a .json file" in response.text
    assert not Evaluation.objects.exists()


def test_it_refuses_a_file_over_5_mb_beside_the_field(procurement):
    # A valid package padded with spaces to one byte over 5 MB.
    content = CONTRACT_EXAMPLE.read_bytes()
    content += b" " * (5 * 1024 * 1024 + 1 - len(content))

    response = upload(client_for(procurement), content)

    assert response.status_code in (200, 400)
    assert response.context["form"].errors == {"package": ["The file is larger than 5 MB."]}
    assert not Evaluation.objects.exists()


def test_it_accepts_a_file_of_exactly_5_mb(procurement):
    content = CONTRACT_EXAMPLE.read_bytes()
    content += b" " * (5 * 1024 * 1024 - len(content))

    response = upload(client_for(procurement), content)

    assert response.status_code == 302
    assert Evaluation.objects.count() == 1


def test_it_asks_for_a_file_when_none_is_sent(procurement):
    # What a browser sends when no file was chosen: the field, empty.
    response = client_for(procurement).post("/evaluations/import/", {"package": ""})

    assert response.status_code in (200, 400)
    assert list(response.context["form"].errors) == ["package"]
    assert not Evaluation.objects.exists()


# Query budgets: the same number of queries whatever the size


def scored(owner, bid_count: int) -> Evaluation:
    """``bid_count`` bids, each scored on both questions by Alice and Bob, both submitted."""
    return load(owner, scored_package(bid_count))


def count_queries(client, address: str) -> int:
    client.get(address)  # a first request settles anything computed once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries)


def test_it_renders_the_dashboard_in_a_fixed_number_of_queries(procurement):
    small, large = scored(procurement, 3), scored(procurement, 40)
    client = client_for(procurement)
    assert len(stored_document(large)["ranking"]) == 40

    counts = [page_queries(client, url(small)), page_queries(client, url(large))]

    # Drawn: 1 session, 2 user, 3 the user's groups (role checks and the menu share them),
    # 4 the evaluation (scoped to the user, with its owner), 5 the user's own assignment (none for the owner),
    # 6 the requirements, 7 the open award (pending or approved) with its bid,
    # 8-10 the key of the cached results, bids and criteria (scoring.fragments): when the stored ranking
    # was computed, the bids' versions and MSP names, the criteria; 11 the assignments with their evaluators,
    # 12 the candidate counts, 13 the conflicts of interest with evaluator and MSP,
    # 14 the navbar's count of unread notifications.
    # Served from the page cache: 1 session, 2 user, 3 the data's revision (core.revision).
    assert counts == [(14, 3), (14, 3)]


def test_it_downloads_the_ranking_in_a_fixed_number_of_queries(procurement):
    small, large = scored(procurement, 3), scored(procurement, 40)
    client = client_for(procurement)

    counts = [
        count_queries(client, url(small, "ranking.json")),
        count_queries(client, url(large, "ranking.json")),
    ]

    # 1 session, 2 user, 3 the user's groups, 4 the evaluation (scoped to the user), 5 the stored ranking.
    assert counts == [5, 5]


def test_it_ranks_the_large_evaluation_as_worked_by_hand(procurement):
    evaluation = scored(procurement, 40)

    document = stored_document(evaluation)

    # Vendor 05 (i = 5): scores 5 → 100% on both questions; M = 1,000 + 500 = 1,500, TCO 18,000;
    # the cheapest is Vendor 00 at 12,000, so price = 12,000 / 18,000 = 66.67%.
    # total = (40 × 100 + 30 × 100 + 30 × 66.666…) / 100 = (4,000 + 3,000 + 2,000) / 100 = 90.00
    row = next(row for row in document["ranking"] if row["vendor"] == "Vendor 05")
    assert (row["total"], row["tco"], row["criteria"]["price"]) == (90.0, 18000.0, 66.67)
    assert document["ranking"][0]["vendor"] == "Vendor 05"
    assert services.stored_ranking(evaluation) == document
