from django.contrib.auth.forms import UserChangeForm

from core.concurrency import FingerprintedModelForm


class AuditedUserChangeForm(FingerprintedModelForm, UserChangeForm):
    """The admin's user form with the edit-conflict check.

    django.contrib.auth's User has no version column: the fingerprint of the values this form
    edits (groups and permissions included) stands in for it.
    """
