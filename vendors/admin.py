from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.concurrency import VersionedAdminMixin

from .forms import MSPForm, ReferenceForm
from .models import MSP, ClientReference, Contact, MspAccount, Specialty


class NoDeleteAdmin(SimpleHistoryAdmin):
    """The registry keeps everything: archive or deactivate instead of deleting."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Specialty)
class SpecialtyAdmin(VersionedAdminMixin, NoDeleteAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(MSP)
class MSPAdmin(VersionedAdminMixin, NoDeleteAdmin):
    form = MSPForm
    list_display = ("name", "headquarters", "offers_fully_managed", "offers_co_managed", "archived_at")
    list_filter = ("offers_fully_managed", "offers_co_managed", "onsite_availability", "specialties")
    search_fields = ("name", "headquarters", "service_area")


@admin.register(Contact)
class ContactAdmin(VersionedAdminMixin, NoDeleteAdmin):
    fields = ("msp", "name", "title", "email", "phone", "is_primary", "active")
    list_display = ("name", "msp", "title", "email", "is_primary", "active")
    list_select_related = ("msp",)
    search_fields = ("name", "email", "msp__name")


@admin.register(ClientReference)
class ClientReferenceAdmin(VersionedAdminMixin, NoDeleteAdmin):
    form = ReferenceForm
    fields = ("msp", *ReferenceForm.Meta.fields)
    list_display = ("client", "msp", "industry", "checked_on", "outcome")
    list_select_related = ("msp",)
    list_filter = ("outcome",)
    search_fields = ("client", "msp__name")


@admin.register(MspAccount)
class MspAccountAdmin(NoDeleteAdmin):
    """Who signs in for each MSP. An admin deactivates one through its user (Users: active)."""

    list_display = ("user", "msp", "contact", "user_active", "created_at")
    list_select_related = ("user", "msp", "contact")
    search_fields = ("user__email", "msp__name", "contact__name")
    readonly_fields = ("user", "msp", "contact", "created_at")

    def has_add_permission(self, request) -> bool:
        return False  # accounts come from invitations to the bid room

    @admin.display(boolean=True, description="active")
    def user_active(self, account: MspAccount) -> bool:
        return account.user.is_active
