"""Logging in and out, changing a password, and the roles every installation has."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group, User

from accounts.roles import ROLES, role_names
from tests.conftest import PASSWORD, client_for, make_user
from vendors import services


def test_the_four_roles_and_the_msps_people_exist_after_migrations(db):
    names = sorted(Group.objects.values_list("name", flat=True))
    assert names == ["Auditor", "Evaluator", "Executive", "MSP", "Procurement"]
    assert ROLES == ("Procurement", "Evaluator", "Executive", "Auditor")


def test_it_names_a_users_roles_in_display_order(db):
    user = make_user("multi", "Auditor")
    user.groups.add(Group.objects.get(name="Procurement"))
    admin = make_user("root", superuser=True)

    assert role_names(User.objects.get(pk=user.pk)) == ["Procurement", "Auditor"]
    assert role_names(admin) == ["Admin"]


# Login


def test_it_shows_the_login_page_to_anonymous_visitors(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert 'name="username"' in response.text
    assert 'name="password"' in response.text


def test_it_logs_in_with_the_right_password(client, procurement):
    response = client.post("/accounts/login/", {"username": "priya", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(procurement.pk)
    assert client.get("/").status_code == 200


def test_it_follows_next_after_login(client, procurement):
    response = client.post(
        "/accounts/login/?next=/vendors/", {"username": "priya", "password": PASSWORD, "next": "/vendors/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/vendors/"


def test_it_refuses_a_wrong_password(client, procurement):
    response = client.post("/accounts/login/", {"username": "priya", "password": "wrong-password"})

    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1
    assert "correct username and password" in errors[0]
    assert SESSION_KEY not in client.session
    assert client.get("/").status_code == 302


def test_it_refuses_an_inactive_user(client, procurement):
    procurement.is_active = False
    procurement.save()

    response = client.post("/accounts/login/", {"username": "priya", "password": PASSWORD})

    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_it_sends_a_logged_in_user_away_from_the_login_page(evaluator):
    response = client_for(evaluator).get("/accounts/login/")
    assert response.status_code == 302
    assert response["Location"] == "/"


# Logout


def test_it_logs_out_on_post(evaluator):
    client = client_for(evaluator)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert SESSION_KEY not in client.session
    assert client.get("/vendors/").status_code == 302


def test_it_does_not_log_out_on_get(evaluator):
    client = client_for(evaluator)

    response = client.get("/accounts/logout/")

    assert response.status_code == 405
    assert client.session[SESSION_KEY] == str(evaluator.pk)


# Password change


def test_it_sends_anonymous_visitors_of_password_change_to_login(client, db):
    response = client.get("/accounts/password/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/password/"


def test_it_shows_the_password_change_form(auditor):
    response = client_for(auditor).get("/accounts/password/")
    assert response.status_code == 200
    assert set(response.context["form"].fields) == {"old_password", "new_password1", "new_password2"}


@pytest.mark.parametrize("user_fixture", ["auditor", "no_role_user", "admin_user"])
def test_it_changes_the_password(request, user_fixture):
    user = request.getfixturevalue(user_fixture)
    client = client_for(user)

    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-longer-secret-9",
            "new_password2": "a-much-longer-secret-9",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/done/"
    user.refresh_from_db()
    assert user.check_password("a-much-longer-secret-9")
    assert not user.check_password(PASSWORD)
    # The session survives the change (update_session_auth_hash).
    assert client.get("/accounts/password/done/").status_code == 200


def test_it_refuses_a_password_change_with_the_wrong_old_password(auditor):
    response = client_for(auditor).post(
        "/accounts/password/",
        {
            "old_password": "not-it",
            "new_password1": "a-much-longer-secret-9",
            "new_password2": "a-much-longer-secret-9",
        },
    )

    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    auditor.refresh_from_db()
    assert auditor.check_password(PASSWORD)


def test_it_refuses_a_too_short_new_password(auditor):
    response = client_for(auditor).post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"}
    )

    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    auditor.refresh_from_db()
    assert auditor.check_password(PASSWORD)


# Home page: what each role may use


def test_it_sends_anonymous_visitors_of_home_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_it_offers_procurement_to_add_an_msp(procurement):
    response = client_for(procurement).get("/")

    assert response.status_code == 200
    assert response.context["can_edit_registry"] is True
    assert 'href="/vendors/new/"' in response.text
    assert "Add an MSP" in response.text
    assert 'href="/admin/"' not in response.text


@pytest.mark.parametrize("user_fixture", ["evaluator", "executive", "auditor", "no_role_user"])
def test_it_offers_other_roles_only_to_browse(request, user_fixture):
    response = client_for(request.getfixturevalue(user_fixture)).get("/")

    assert response.status_code == 200
    assert response.context["can_edit_registry"] is False
    assert "/vendors/new/" not in response.text
    assert "Add an MSP" not in response.text
    assert 'href="/admin/"' not in response.text
    assert 'href="/vendors/"' in response.text


def test_it_offers_admins_the_admin_and_the_registry(admin_user):
    response = client_for(admin_user).get("/")

    assert response.status_code == 200
    assert 'href="/admin/"' in response.text
    assert 'href="/vendors/new/"' in response.text


def test_it_tells_a_user_without_role_to_ask_for_one(no_role_user):
    response = client_for(no_role_user).get("/")
    assert "Your account has no role yet" in response.text


def test_it_tells_auditors_they_can_read_the_history(auditor, evaluator):
    assert "change history" in client_for(auditor).get("/").text
    assert "change history" not in client_for(evaluator).get("/").text


def test_it_counts_active_msps_on_home(procurement, msp):
    services.msp_create(name="Archived IT", offers_co_managed=True)
    services.msp_archive(msp=msp, expected_version=1)

    registry = client_for(procurement).get("/").context["registry"]

    assert registry == {"active": 1, "fully_managed": 0, "co_managed": 1, "both": 0}


# Admin


@pytest.mark.parametrize("user_fixture", ["procurement", "evaluator", "executive", "auditor", "no_role_user"])
def test_it_sends_non_staff_users_to_the_admin_login(request, user_fixture):
    client = client_for(request.getfixturevalue(user_fixture))

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"
    assert client.get(response["Location"]).status_code == 200


def test_it_opens_the_admin_for_superusers(admin_user):
    response = client_for(admin_user).get("/admin/")
    assert response.status_code == 200


def test_it_does_not_let_admins_delete_users(admin_user, evaluator):
    response = client_for(admin_user).post(f"/admin/auth/user/{evaluator.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert User.objects.filter(pk=evaluator.pk).exists()


# User history


def test_it_records_a_change_of_groups_in_the_user_history(evaluator):
    rows_before = evaluator.history.count()

    evaluator.groups.add(Group.objects.get(name="Auditor"))

    assert evaluator.history.count() == rows_before + 1
    latest = evaluator.history.first()
    assert sorted(row.group.name for row in latest.groups.all()) == ["Auditor", "Evaluator"]
    previous = latest.prev_record
    assert [row.group.name for row in previous.groups.all()] == ["Evaluator"]


def test_it_records_who_changed_a_users_groups_in_the_admin(admin_user, evaluator):
    auditor_group = Group.objects.get(name="Auditor")
    client = client_for(admin_user)
    url = f"/admin/auth/user/{evaluator.pk}/change/"
    data = {
        "version": client.get(url).context["adminform"].form["version"].value(),
        "username": evaluator.username,
        "first_name": evaluator.first_name,
        "last_name": "",
        "email": evaluator.email,
        "is_active": "on",
        "groups": [auditor_group.pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": evaluator.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": evaluator.date_joined.strftime("%H:%M:%S"),
    }

    response = client.post(url, data)

    assert response.status_code == 302
    assert [g.name for g in evaluator.groups.all()] == ["Auditor"]
    latest = evaluator.history.first()
    assert latest.history_user == admin_user
    assert [row.group.name for row in latest.groups.all()] == ["Auditor"]


def test_it_keeps_passwords_out_of_the_user_history(db):
    field_names = {f.name for f in User.history.model._meta.get_fields()}
    assert "password" not in field_names
    assert "last_login" not in field_names
