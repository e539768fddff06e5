"""The audit timeline and trail at the contract's addresses."""

import csv
import io
from decimal import Decimal

import pytest

from scoring import services
from tests.conftest import client_for, make_user
from tests.scoring.factories import assign


@pytest.fixture
def evaluation(procurement):
    evaluation = services.evaluation_create(owner=procurement, title="Audit me", model="fully_managed")
    price = evaluation.criteria.get(key="price")
    services.criteria_update(evaluation=evaluation, weights={price.pk: Decimal("40")})
    return evaluation


def test_it_sends_anonymous_users_to_login(client, evaluation):
    for suffix in ("history/", "history.csv"):
        response = client.get(f"/evaluations/{evaluation.pk}/{suffix}")
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_it_hides_the_history_from_outsiders(evaluation):
    outsider = make_user("other-buyer", "Procurement")
    for suffix in ("history/", "history.csv"):
        assert client_for(outsider).get(f"/evaluations/{evaluation.pk}/{suffix}").status_code == 404


def test_it_refuses_assigned_evaluators(evaluation, evaluator):
    assign(evaluation, evaluator)
    for suffix in ("history/", "history.csv"):
        assert client_for(evaluator).get(f"/evaluations/{evaluation.pk}/{suffix}").status_code == 403


@pytest.mark.parametrize("reader", ["procurement", "executive", "auditor", "admin_user"])
def test_it_shows_the_trail_to_the_owner_executives_auditors_and_admins(request, evaluation, reader):
    client = client_for(request.getfixturevalue(reader))
    assert client.get(f"/evaluations/{evaluation.pk}/history/").status_code == 200
    response = client.get(f"/evaluations/{evaluation.pk}/history.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == ["when", "who", "action", "record", "changes", "reason"]
    creation = next(r for r in rows if r["record"] == f"Evaluation {evaluation.pk}")
    assert creation["action"] == "create"
    assert "title: — → Audit me" in creation["changes"]
    assert creation["when"].startswith("20") and "T" in creation["when"]
    # The library's default price weight is 25; the update made it 40.
    price = evaluation.criteria.get(key="price")
    update = next(r for r in rows if r["record"] == f"Criterion {price.pk}" and r["action"] == "update")
    assert update["changes"] == "weight: 25 → 40"
