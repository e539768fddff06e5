from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from evaluator.concurrency import VersionedAdminMixin

from .models import Organization


@admin.register(Organization)
class OrganizationAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "employees", "devices", "it_staff", "it_staff_annual_cost", "industry")
    fields = ("name", "employees", "devices", "it_staff", "it_staff_annual_cost", "industry", "compliance")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
