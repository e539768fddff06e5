"""An id beyond 64 bits in a form is a form error, never a server error (SQLite overflows)."""

from scoring import services
from tests.conftest import client_for

HUGE = "99999999999999999999"


def test_it_refuses_a_huge_specialty_id_beside_the_field(procurement):
    response = client_for(procurement).post(
        "/vendors/new/",
        {"name": "X", "offers_fully_managed": "on", "onsite_availability": "remote_only", "specialties": [HUGE]},
    )
    assert response.status_code == 200
    assert "specialties" in response.context["form"].errors


def test_it_refuses_a_huge_requirement_id_beside_the_field(procurement):
    response = client_for(procurement).post(
        "/evaluations/new/",
        {
            "title": "T",
            "model": "both",
            "term_months": "36",
            "red_flag_policy": "disqualify",
            "red_flag_penalty": "10",
            "employees": "1",
            "devices": "1",
            "it_staff": "0",
            "it_staff_annual_cost": "0",
            "requirement_templates": [HUGE],
        },
    )
    assert response.status_code == 200
    assert "requirement_templates" in response.context["form"].errors


def test_it_refuses_a_huge_evaluator_or_msp_id(procurement):
    evaluation = services.evaluation_create(owner=procurement, title="T", model="both")
    client = client_for(procurement)
    response = client.post(f"/evaluations/{evaluation.pk}/evaluators/", {"evaluators": [HUGE]})
    assert response.status_code == 200
    assert "evaluators" in response.context["form"].errors
    response = client.post(f"/evaluations/{evaluation.pk}/bids/new/", {"msp": HUGE, "model": "fully_managed"})
    assert response.status_code == 200
    assert "msp" in response.context["form"].errors
    assert evaluation.bids.count() == 0
