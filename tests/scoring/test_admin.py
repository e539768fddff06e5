"""The libraries' admin: the question and requirement templates refuse a stale save like every edit form."""

from __future__ import annotations

from decimal import Decimal

from core.concurrency import CONFLICT_MESSAGE
from scoring.models import QuestionTemplate, RequirementTemplate
from tests.conftest import client_for


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


def test_deactivating_from_the_change_list_moves_the_version_so_a_change_form_opened_before_is_refused(admin_user):
    requirement = RequirementTemplate.objects.order_by("position", "key").first()
    assert requirement.active
    admin = client_for(admin_user)
    change_url = f"/admin/scoring/requirementtemplate/{requirement.pk}/change/"
    form = admin.get(change_url).context["adminform"].form
    opened = {name: form[name].value() for name in form.fields if form[name].value() is not False}
    history_rows = requirement.history.count()
    changelist = admin.get("/admin/scoring/requirementtemplate/")
    assert changelist.context["cl"].formset is None  # no list editing: a row could not carry its version

    done = admin.post(
        "/admin/scoring/requirementtemplate/",
        {"action": "deactivate", "_selected_action": [requirement.pk], "index": 0},
        follow=True,
    )

    assert "1 template withdrawn from new evaluations." in done.text
    requirement.refresh_from_db()
    assert (requirement.active, requirement.version) == (False, 2)
    assert requirement.history.count() == history_rows + 1
    assert requirement.history.first().history_user == admin_user
    refused = admin.post(change_url, {**opened, "compliance": "SOC 2"})
    assert refused.status_code == 200
    assert CONFLICT_MESSAGE in refused.context["adminform"].form.non_field_errors()
    requirement.refresh_from_db()
    assert (requirement.active, requirement.version) == (False, 2)


def test_activating_again_touches_only_the_inactive(admin_user):
    first, second = QuestionTemplate.objects.order_by("pk")[:2]
    first.active = False
    first.save()
    admin = client_for(admin_user)
    done = admin.post(
        "/admin/scoring/questiontemplate/",
        {"action": "activate", "_selected_action": [first.pk, second.pk], "index": 0},
        follow=True,
    )
    assert "1 template offered to new evaluations." in done.text
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.active and second.active
    assert second.version == 1  # already active: not saved again
