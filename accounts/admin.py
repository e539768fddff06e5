from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from simple_history.admin import SimpleHistoryAdmin

admin.site.unregister(User)


@admin.register(User)
class AuditedUserAdmin(SimpleHistoryAdmin, UserAdmin):
    """Users are deactivated, never deleted: their actions stay attributable."""

    list_filter = ("is_active", "is_superuser", "groups")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
