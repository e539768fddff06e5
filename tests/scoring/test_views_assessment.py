"""Needs assessment pages: the recommendation, its access, bad input, and the pre-filled evaluation."""

import pytest

from scoring.models import NeedsAssessment
from tests.conftest import client_for, make_user


def answers(**overrides):
    data = {
        "organization_name": "Bayside Dental",
        "employees": "75",
        "devices": "90",
        "it_staff": "1",
        "it_staff_annual_cost": "95000",
        "industry": "healthcare",
        "compliance": "HIPAA",
        "co_managed_indicators": ["coverage_gaps"],
    }
    data.update(overrides)
    return data


def test_it_sends_anonymous_users_to_login(client):
    response = client.get("/evaluations/assessments/new/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ["evaluator", "executive", "auditor"])
def test_it_lets_only_procurement_and_admins_run_one(request, role):
    response = client_for(request.getfixturevalue(role)).post("/evaluations/assessments/new/", answers())
    assert response.status_code == 403
    assert not NeedsAssessment.objects.exists()


def test_it_recommends_co_managed_for_a_solo_it_worker_and_prefills_an_evaluation(procurement):
    client = client_for(procurement)
    response = client.post("/evaluations/assessments/new/", answers())
    assessment = NeedsAssessment.objects.get()
    assert response.status_code == 302 and response["Location"] == assessment.get_absolute_url()
    # 50–100 employees with one IT person: the guide's second row.
    assert assessment.recommended == "co_managed"
    assert assessment.answers == ["coverage_gaps"]
    assert assessment.history.get().history_user == procurement

    page = client.get(assessment.get_absolute_url())
    assert page.context["result"].rule == "50-100-one-it"
    assert "to back up the solo worker" in page.content.decode()

    form = client.get(f"/evaluations/new/?assessment={assessment.pk}").context["form"]
    assert form.initial["model"] == "co_managed"
    assert form.initial["employees"] == 75
    assert form.initial["it_staff_annual_cost"] == "95000"  # shown without trailing zeros
    assert [t.key for t in form.initial["requirement_templates"]] == ["hipaa-baa"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("employees", "-5"), ("devices", "abc"), ("it_staff_annual_cost", "-1"), ("co_managed_triggers", ["made-up"])],
)
def test_it_refuses_bad_answers_beside_the_field(procurement, field, value):
    response = client_for(procurement).post("/evaluations/assessments/new/", answers(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not NeedsAssessment.objects.exists()


def test_it_hides_someone_elses_assessment(procurement, executive):
    client_for(procurement).post("/evaluations/assessments/new/", answers())
    assessment = NeedsAssessment.objects.get()
    other_buyer = make_user("other-buyer", "Procurement")
    assert client_for(other_buyer).get(assessment.get_absolute_url()).status_code == 404
    assert (
        client_for(other_buyer)
        .get(f"/evaluations/new/?assessment={assessment.pk}")
        .context["form"]
        .initial.get("employees")
        != 75
    )
    assert client_for(executive).get(assessment.get_absolute_url()).status_code == 200
