"""Edit conflicts in the user admin.

django.contrib.auth's User has no version column: the fingerprint of the saved values its change
form edits stands in for one, so a stale save is refused like any other edit form's.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.contrib.auth.models import Group, User

from core.concurrency import CONFLICT_MESSAGE, fingerprint
from tests.conftest import client_for, make_user


@pytest.fixture
def root(db) -> User:
    return make_user("root", superuser=True)


def change_url(user: User) -> str:
    return f"/admin/auth/user/{user.pk}/change/"


def opened_version(client: Any, user: User) -> str:
    return client.get(change_url(user)).context["adminform"].form["version"].value()


def user_data(user: User, version: str, **changes: Any) -> dict[str, Any]:
    """The change form as the browser posts it, from the values ``user`` was opened with."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "groups": [g.pk for g in user.groups.all()],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "version": version,
    }
    return {**data, **changes}


def test_the_fingerprint_is_a_digest_of_the_saved_values(evaluator):
    evaluator_group = Group.objects.get(name="Evaluator").pk
    # json.dumps with sorted keys, written out by hand.
    by_hand = f'{{"email": "evan@example.com", "groups": [{evaluator_group}]}}'

    assert fingerprint(evaluator, ["groups", "email"]) == hashlib.sha256(by_hand.encode()).hexdigest()
    evaluator.groups.add(Group.objects.get(name="Auditor"))
    assert fingerprint(evaluator, ["groups", "email"]) != hashlib.sha256(by_hand.encode()).hexdigest()


def test_the_change_form_carries_the_fingerprint_of_the_fields_it_edits(admin_user, evaluator):
    form = client_for(admin_user).get(change_url(evaluator)).context["adminform"].form

    # Every field the form writes; the password (shown, never written by this form) is left out.
    assert form.fingerprinted_fields == [
        "date_joined",
        "email",
        "first_name",
        "groups",
        "is_active",
        "is_staff",
        "is_superuser",
        "last_login",
        "last_name",
        "user_permissions",
        "username",
    ]
    assert form["version"].value() == fingerprint(evaluator, form.fingerprinted_fields)


def test_it_refuses_a_stale_user_edit_and_writes_nothing(admin_user, root, evaluator):
    ada, rooted = client_for(admin_user), client_for(root)
    version = opened_version(ada, evaluator)
    assert opened_version(rooted, evaluator) == version
    saved = ada.post(change_url(evaluator), user_data(evaluator, version, email="evan@new.example"))
    assert saved.status_code == 302
    history_rows = evaluator.history.count()

    refused = rooted.post(change_url(evaluator), user_data(evaluator, version, first_name="Evander"))

    assert refused.status_code == 200
    assert CONFLICT_MESSAGE in refused.context["adminform"].form.non_field_errors()
    evaluator.refresh_from_db()
    assert (evaluator.email, evaluator.first_name) == ("evan@new.example", "Evan")
    assert evaluator.history.count() == history_rows  # nothing saved, nothing recorded


def test_it_overwrites_on_purpose_after_a_conflict(admin_user, root, evaluator):
    ada, rooted = client_for(admin_user), client_for(root)
    version = opened_version(rooted, evaluator)
    ada.post(change_url(evaluator), user_data(evaluator, version, email="evan@new.example"))
    refused = rooted.post(change_url(evaluator), user_data(evaluator, version, first_name="Evander"))
    # The re-shown form carries the fingerprint it was compared with.
    again = refused.context["adminform"].form["version"].value()

    response = rooted.post(change_url(evaluator), user_data(evaluator, again, first_name="Evander"))

    assert response.status_code == 302
    evaluator.refresh_from_db()
    # Root's form still had the old email: saving it again replaced Ada's on purpose.
    assert (evaluator.email, evaluator.first_name) == ("evan@example.com", "Evander")
    assert evaluator.history.first().history_user == root


def test_a_role_change_made_elsewhere_refuses_a_form_opened_before_it(admin_user, evaluator):
    ada = client_for(admin_user)
    version = opened_version(ada, evaluator)
    opened_with = user_data(evaluator, version, first_name="Evander")
    evaluator.groups.add(Group.objects.get(name="Auditor"))  # e.g. from a shell: not through this form

    refused = ada.post(change_url(evaluator), opened_with)

    assert refused.status_code == 200
    assert CONFLICT_MESSAGE in refused.context["adminform"].form.non_field_errors()
    assert sorted(evaluator.groups.values_list("name", flat=True)) == ["Auditor", "Evaluator"]
    assert User.objects.get(pk=evaluator.pk).first_name == "Evan"


def test_a_password_change_does_not_refuse_the_form_which_never_writes_it(admin_user, evaluator):
    ada = client_for(admin_user)
    version = opened_version(ada, evaluator)
    evaluator.set_password("a new passphrase")
    evaluator.save(update_fields=["password"])

    response = ada.post(change_url(evaluator), user_data(evaluator, version, first_name="Evander"))

    assert response.status_code == 302
    evaluator.refresh_from_db()
    assert evaluator.first_name == "Evander"
    assert evaluator.check_password("a new passphrase")


def test_adding_a_user_needs_no_version(admin_user):
    data = {
        "username": "nora",
        "usable_password": "true",
        "password1": "a long passphrase",
        "password2": "a long passphrase",
    }

    response = client_for(admin_user).post("/admin/auth/user/add/", data)

    assert response.status_code == 302
    assert User.objects.get(username="nora").check_password("a long passphrase")
