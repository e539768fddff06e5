"""The benchmark's environment: production settings over plain HTTP, on the ``bench`` database.

Shared by the in-process work (seeding, timings, query counts, profiles) and
the gunicorn it serves, so both see the same settings. Import and apply it
before Django is set up.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench"
HOST = "127.0.0.1"


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL


def bench_env(secret_key: str | None = None) -> dict[str, str]:
    """The variables the benchmark sets, over whatever the caller's environment holds."""
    return {
        "DJANGO_SETTINGS_MODULE": "evaluator.settings",
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "60",
        "DEBUG": "false",
        "SECRET_KEY": secret_key or secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "WHITENOISE_USE_FINDERS": "true",
        # Production storage needs collectstatic; pages only need the URLs of the files.
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "CELERY_BROKER_URL": "",  # tasks run eagerly, in-process: the sweep delivers inline
        "PRIVATE_MEDIA_ROOT": "/tmp/msp-evaluator-bench-private-media",  # noqa: S108 (nothing is written there)
        "SITE_URL": f"http://{HOST}",
        "LOG_LEVEL": "WARNING",
    }


def apply(env: dict[str, str]) -> None:
    os.environ.update(env)
