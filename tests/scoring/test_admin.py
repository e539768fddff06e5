"""The libraries' admin: the question and requirement templates refuse a stale save like every edit form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from evaluator.concurrency import CONFLICT_MESSAGE
from scoring.models import QuestionTemplate, RequirementTemplate
from tests.conftest import client_for


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def changelist_data(response: Any, changes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The change list's rows as posted, with ``changes`` by template key."""
    formset = response.context["cl"].formset
    data: dict[str, Any] = {
        formset.management_form.add_prefix(k): v for k, v in formset.management_form.initial.items()
    }
    for form in formset.forms:
        values = {name: form[name].value() for name in form.fields}
        values.update(changes.get(form.instance.key, {}))
        data.update({form.add_prefix(name): value for name, value in values.items() if value is not False})
    return {**data, "_save": "Save"}


def test_a_stale_question_template_edit_is_refused(admin_user):
    question = QuestionTemplate.objects.order_by("pk").first()
    url = f"/admin/scoring/questiontemplate/{question.pk}/change/"
    admin = client_for(admin_user)
    form = admin.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not False}
    assert data["version"] == 1
    assert admin.post(url, {**data, "default_weight": "22"}).status_code == 302

    refused = admin.post(url, {**data, "text": "A reworded question?"})

    assert refused.status_code == 200
    assert CONFLICT_MESSAGE in refused.context["adminform"].form.non_field_errors()
    question.refresh_from_db()
    assert (question.default_weight, question.version) == (Decimal("22"), 2)
    assert question.text != "A reworded question?"


def test_a_change_list_edit_moves_the_version_so_a_change_form_opened_before_is_refused(admin_user):
    requirement = RequirementTemplate.objects.order_by("position", "key").first()
    admin = client_for(admin_user)
    change_url = f"/admin/scoring/requirementtemplate/{requirement.pk}/change/"
    form = admin.get(change_url).context["adminform"].form
    opened = {name: form[name].value() for name in form.fields if form[name].value() is not False}
    history_rows = requirement.history.count()
    changelist = admin.get("/admin/scoring/requirementtemplate/")

    saved = admin.post(
        "/admin/scoring/requirementtemplate/", changelist_data(changelist, {requirement.key: {"active": False}})
    )

    assert saved.status_code == 302
    requirement.refresh_from_db()
    assert (requirement.active, requirement.version) == (False, 2)
    assert requirement.history.count() == history_rows + 1
    refused = admin.post(change_url, {**opened, "compliance": "SOC 2"})
    assert refused.status_code == 200
    assert CONFLICT_MESSAGE in refused.context["adminform"].form.non_field_errors()
    requirement.refresh_from_db()
    assert (requirement.active, requirement.version) == (False, 2)
