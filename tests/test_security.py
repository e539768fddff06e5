"""Security settings that hold for every page: login throttling (django-axes), the
Content-Security-Policy with no inline script, clickjacking protection, cookies, the
production defaults, and uploads bounded, parsed in memory and never kept."""

from __future__ import annotations

import datetime as dt
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory

from core.security import client_ip
from scoring.models import Evaluation
from tests.conftest import PASSWORD, client_for
from tests.scoring.factories import CONTRACT_EXAMPLE

ROOT = Path(__file__).resolve().parents[1]
LOGIN = "/accounts/login/"
WRONG = "not-the-password"
# Emails carry their own inline styles (mail clients ignore stylesheets); they are not pages.
EMAIL_TEMPLATES = {"notifications/email.html", "notifications/email.txt"}
START = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


def log_in(client: Client, password: str, username: str = "priya", **extra: str):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def fail(client: Client, times: int, username: str = "priya", **extra: str) -> list[int]:
    return [log_in(client, WRONG, username, **extra).status_code for _ in range(times)]


def data_counts() -> dict[str, int]:
    """Rows of every model the app writes (history tables included), and users."""
    models = [User, User.groups.through]
    for label in ("scoring", "vendors", "notifications", "accounts"):
        models += list(apps.get_app_config(label).get_models())
    return {model._meta.label: model._default_manager.count() for model in models}


# --- Login throttling --------------------------------------------------------------------------


def test_the_limits_are_the_documented_defaults():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert dt.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_it_answers_wrong_passwords_with_the_form_until_the_limit(client, procurement):
    assert fail(client, 4) == [200, 200, 200, 200]
    assert SESSION_KEY not in client.session


def test_it_locks_out_at_the_fifth_wrong_password_and_says_why(client, procurement):
    *first, fifth = fail(client, 5)

    assert first == [200] * 4
    assert fifth == 429
    response = log_in(client, WRONG)
    assert response.status_code == 429
    assert "Too many failed logins" in response.text
    assert "priya" in response.text
    assert "15 minutes" in response.text
    assert "even with the right password" in response.text


def test_the_right_password_is_refused_during_the_lockout(client, procurement):
    fail(client, 5)

    response = log_in(client, PASSWORD)

    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    assert client.get("/").status_code == 302  # still anonymous


def test_the_lockout_ends_after_the_cool_off(procurement):
    client = Client()
    with time_machine.travel(START, tick=False) as traveller:
        fail(client, 5)
        traveller.shift(dt.timedelta(minutes=14))
        assert log_in(client, PASSWORD).status_code == 429
        # That refused try started the cool-off again: 15 minutes from now.
        traveller.shift(dt.timedelta(minutes=15, seconds=1))

        response = log_in(client, PASSWORD)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(procurement.pk)


def test_a_success_clears_the_count(client, procurement):
    fail(client, 4)
    assert log_in(client, PASSWORD).status_code == 302
    client.post("/accounts/logout/")

    assert fail(client, 4) == [200] * 4
    assert log_in(client, PASSWORD).status_code == 302


def test_it_locks_the_username_and_address_pair_only(client, procurement, evaluator):
    fail(client, 5)

    # The same person from another address, and another person from this one, still log in.
    assert log_in(Client(), PASSWORD, REMOTE_ADDR="10.0.0.7").status_code == 302
    assert log_in(Client(), PASSWORD, username="evan").status_code == 302
    # Unknown usernames are counted the same way, so a lockout tells nothing about who exists.
    assert fail(Client(), 5, username="nobody-here")[-1] == 429


def test_the_admin_login_is_throttled_too(client, admin_user):
    for _ in range(5):
        response = client.post("/admin/login/", {"username": "ada", "password": WRONG})

    assert response.status_code == 429
    assert client.post("/admin/login/", {"username": "ada", "password": PASSWORD}).status_code == 429


def test_force_login_is_not_throttled(procurement):
    fail(Client(), 5)
    assert client_for(procurement).get("/").status_code == 200


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "192.0.2.1"),  # no proxy: the header is the client's word, ignored
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client's own entry is ignored
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "192.0.2.1"),  # fewer entries than proxies: the connection's address
    ],
)
def test_it_reads_the_client_address_through_trusted_proxies_only(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


# --- Headers and cookies -----------------------------------------------------------------------


def csp_directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("who", ["anonymous", "procurement"])
def test_every_page_sends_a_strict_content_security_policy(request, who):
    client = Client() if who == "anonymous" else client_for(request.getfixturevalue(who))
    response = client.get(LOGIN if who == "anonymous" else "/", follow=False)
    assert response.status_code == 200

    assert csp_directives(response) == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_error_pages_and_the_lockout_carry_the_policy_too(client, procurement):
    assert "Content-Security-Policy" in client.get("/no-such-page/")
    fail(client, 5)
    assert "Content-Security-Policy" in log_in(client, WRONG)


def test_pages_refuse_to_be_framed(client):
    response = client.get(LOGIN)
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_other_protective_headers(client):
    response = client.get(LOGIN)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_session_and_csrf_cookies_are_http_only(client, procurement):
    client.get(LOGIN)  # sets the CSRF cookie
    response = log_in(client, PASSWORD)

    assert response.cookies["sessionid"]["httponly"] is True
    assert client.cookies["csrftoken"]["httponly"] is True
    assert response.cookies["sessionid"]["samesite"] == "Lax"


def production_settings(monkeypatch, **env: str) -> dict:
    """The settings module as production runs it: nothing set but the required variables."""
    for name in list(os.environ):
        if name.startswith(("SECURE_", "SESSION_", "CSRF_", "AXES_", "DEBUG", "MAX_", "TRUSTED_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.setenv("ALLOWED_HOSTS", "evaluator.example.com")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "evaluator" / "settings.py"))


def test_production_defaults_are_secure(monkeypatch):
    values = production_settings(monkeypatch)

    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["CSRF_COOKIE_HTTPONLY"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["AXES_ENABLED"] is True
    assert values["MAX_PACKAGE_BYTES"] == 5 * 1024 * 1024


def test_the_throttling_limits_come_from_the_environment(monkeypatch):
    values = production_settings(monkeypatch, AXES_FAILURE_LIMIT="3", AXES_COOLOFF_MINUTES="60")

    assert values["AXES_FAILURE_LIMIT"] == 3
    assert values["AXES_COOLOFF_TIME"] == dt.timedelta(hours=1)


def test_the_deployment_checklist_is_clean_with_production_settings():
    # What `make check-deploy` sets, and nothing of the test run's environment.
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "false",
        "SECRET_KEY": "k" * 60 + "-not-a-real-one",
        "ALLOWED_HOSTS": "evaluator.example.com",
    }
    result = subprocess.run(  # noqa: S603 (a fixed command)
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# --- No inline script or style in any page's template ------------------------------------------


def page_templates() -> list[Path]:
    folder = ROOT / "templates"
    return [
        path for path in sorted(folder.rglob("*.html")) if path.relative_to(folder).as_posix() not in EMAIL_TEMPLATES
    ]


INLINE = {
    "an inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "a <style> element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "a style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_the_scan_finds_what_it_looks_for():
    samples = {
        "an inline <script>": '<script>alert(1)</script> <script type="module">',
        "a <style> element": "<style>body{}</style>",
        "a style attribute": '<th style="width:1rem">',
        "an event handler attribute": '<a onclick="go()">',
        "a javascript: URL": '<a href="javascript:go()">',
    }
    for what, sample in samples.items():
        assert INLINE[what].search(sample), what
    assert not INLINE["an inline <script>"].search('<script src="/static/js/print.js"></script>')
    assert not INLINE["an event handler attribute"].search('<form hx-on="x" data-bs-toggle="collapse">')


def test_no_page_template_has_inline_script_or_style():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {what}"
        for path in page_templates()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        for what, pattern in INLINE.items()
        if pattern.search(line)
    ]
    assert page_templates()
    assert found == []


# --- Uploads -----------------------------------------------------------------------------------


def upload(client: Client, content: bytes, name: str = "package.json"):
    return client.post("/evaluations/import/", {"package": SimpleUploadedFile(name, content)})


def files_under(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*") if path.is_file()} if folder.exists() else set()


def test_an_upload_over_the_limit_is_refused_with_a_message_and_nothing_written(procurement):
    content = CONTRACT_EXAMPLE.read_bytes()
    content += b" " * (settings.MAX_PACKAGE_BYTES + 1 - len(content))
    client = client_for(procurement)
    before = data_counts()

    response = upload(client, content)

    assert response.status_code == 200
    assert response.context["form"].errors == {"package": ["The file is larger than 5 MB."]}
    assert "The file is larger than 5 MB." in response.text
    assert data_counts() == before


def test_the_limit_is_a_setting(procurement, settings):
    settings.MAX_PACKAGE_BYTES = 1024
    content = CONTRACT_EXAMPLE.read_bytes()
    assert len(content) > 1024

    response = upload(client_for(procurement), content)

    assert response.context["form"].errors == {"package": ["The file is larger than 1 KB."]}
    assert "at most 1 KB" in response.text
    assert not Evaluation.objects.exists()


def test_no_upload_is_held_beyond_the_largest_accepted_size(procurement, settings):
    # The bytes past the limit are read off the connection and dropped, not kept in memory or
    # on disk; the form still sees a file over the limit and says so.
    settings.MAX_PACKAGE_BYTES = settings.MAX_DOCUMENT_BYTES = 1024 * 1024
    content = b" " * (3 * 1024 * 1024)

    response = upload(client_for(procurement), content)

    assert response.context["form"].files["package"].size == 1024 * 1024 + 1
    assert response.context["form"].errors == {"package": ["The file is larger than 1 MB."]}


def test_a_package_is_parsed_in_memory_and_never_stored(procurement):
    private = Path(settings.PRIVATE_MEDIA_ROOT)
    served = [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS), private]
    before = {folder: files_under(folder) for folder in served}

    response = upload(client_for(procurement), CONTRACT_EXAMPLE.read_bytes())

    assert response.status_code == 302
    assert Evaluation.objects.count() == 1
    assert {folder: files_under(folder) for folder in served} == before


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("package.json", b"#!/bin/sh\nrm -rf /\n"),
        ("package.json", b"<script>alert(1)</script>"),
        ("package.json", b"__import__('os').system('id')"),
        ("package.json", b"PK\x03\x04 a zip file"),
        ("package.html", b"<html><script>alert(1)</script></html>"),
        ("package.py", b"print('hello')"),
    ],
    ids=["shell", "html", "python", "zip", "html-name", "python-name"],
)
def test_only_json_is_accepted_and_nothing_is_run(procurement, name, content):
    client = client_for(procurement)
    before = data_counts()

    response = upload(client, content, name=name)

    assert response.status_code in (200, 400)
    if name.endswith(".json"):
        assert response.context["problems"][0].startswith("(document): not valid JSON")
    else:
        assert response.context["form"].errors == {"package": ["Upload a .json file (an msp-eval/1 package)."]}
    assert "<script>alert(1)</script>" not in response.text
    assert data_counts() == before


def test_a_problem_quoting_markup_is_shown_as_text(procurement):
    content = b'{"format": "msp-eval/1", "<img src=x onerror=alert(1)>": 1}'

    response = upload(client_for(procurement), content)

    assert response.status_code == 400
    assert "<img src=x onerror=alert(1)>" not in response.text
    assert "&lt;img src=x onerror=alert(1)&gt;: unknown key" in response.text
