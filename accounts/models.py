"""Users and groups live in django.contrib.auth; this app records their history.

Who held which role, and when a user was deactivated, is audit evidence.
"""

from django.contrib.auth.models import User
from django.db import models
from simple_history import register

register(
    User,
    app="accounts",
    m2m_fields=["groups"],
    excluded_fields=["password", "last_login"],
)


class FormSubmission(models.Model):
    """A form's one-time key (``accounts.submissions``): the same form sent twice (Enter pressed twice,
    a page resent) finds what the first sending did instead of doing it again."""

    key = models.UUIDField(unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    location = models.CharField(max_length=500, blank=True, help_text="Where the first sending led.")

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.key} by {self.user}"
