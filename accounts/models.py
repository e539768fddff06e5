"""Users and groups live in django.contrib.auth; this app records their history.

Who held which role, and when a user was deactivated, is audit evidence.
"""

from django.contrib.auth.models import User
from simple_history import register

register(
    User,
    app="accounts",
    m2m_fields=["groups"],
    excluded_fields=["password", "last_login"],
)
