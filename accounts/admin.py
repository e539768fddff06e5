from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from simple_history.admin import SimpleHistoryAdmin

from core.concurrency import FingerprintedAdminMixin

from .forms import AuditedUserChangeForm

admin.site.unregister(User)


@admin.register(User)
class AuditedUserAdmin(FingerprintedAdminMixin, SimpleHistoryAdmin, UserAdmin):
    """Users are deactivated, never deleted: their actions stay attributable."""

    form = AuditedUserChangeForm
    list_filter = ("is_active", "is_superuser", "groups")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
