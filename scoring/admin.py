from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from core.concurrency import VersionedAdminMixin, save_versioned

from .models import (
    Assignment,
    Award,
    Bid,
    BidAnswer,
    BidOpening,
    ConflictOfInterest,
    Criterion,
    DocumentMismatch,
    Evaluation,
    Invitation,
    LockedRecord,
    LockedWriteAttempt,
    Organization,
    PackageLoad,
    QuestionTemplate,
    RedFlag,
    Requirement,
    RequirementTemplate,
    Score,
    TenderEvent,
    Waiver,
)
from .rules import blind_evaluations


class NoDeleteAdmin(SimpleHistoryAdmin):
    """Nothing an auditor may need is deleted: deactivate instead."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(NoDeleteAdmin):
    """Evaluation records change only through the app's pages, which keep the ranking and the lock."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(VersionedAdminMixin, NoDeleteAdmin):
    list_display = ("name", "employees", "devices", "it_staff", "it_staff_annual_cost", "industry")
    fields = ("name", "employees", "devices", "it_staff", "it_staff_annual_cost", "industry", "compliance")


def _set_active(modeladmin, request, queryset, *, active: bool) -> None:
    """Each selected template saved at the version just read, with its history row, so change forms
    opened before are refused. (No list_editable: a change list row carries no version.)"""
    changed = 0
    for template in queryset.filter(active=not active):
        template.active = active
        save_versioned(template, expected_version=template.version, fields=["active"])
        changed += 1
    state = "offered to new evaluations" if active else "withdrawn from new evaluations"
    modeladmin.message_user(request, f"{changed} {'template' if changed == 1 else 'templates'} {state}.")


@admin.action(description="Offer the selected to new evaluations (active)")
def activate(modeladmin, request, queryset) -> None:
    _set_active(modeladmin, request, queryset, active=True)


@admin.action(description="Withdraw the selected from new evaluations (inactive)")
def deactivate(modeladmin, request, queryset) -> None:
    _set_active(modeladmin, request, queryset, active=False)


@admin.register(QuestionTemplate)
class QuestionTemplateAdmin(VersionedAdminMixin, NoDeleteAdmin):
    list_display = ("key", "model", "category", "text", "default_weight", "active")
    list_filter = ("model", "category", "active")
    search_fields = ("key", "text")
    actions = (activate, deactivate)


@admin.register(RequirementTemplate)
class RequirementTemplateAdmin(VersionedAdminMixin, NoDeleteAdmin):
    list_display = ("key", "text", "compliance", "active")
    list_filter = ("active",)
    actions = (activate, deactivate)


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ("title", "status", "model", "owner", "created_at")
    list_filter = ("status", "model")
    search_fields = ("title",)


@admin.register(Bid)
class BidAdmin(ReadOnlyAdmin):
    list_display = ("msp", "evaluation", "model", "pricing_model")
    list_select_related = ("msp", "evaluation")
    list_filter = ("model", "pricing_model")


for model in (
    Criterion,
    Requirement,
    Assignment,
    RedFlag,
    Waiver,
    ConflictOfInterest,
    LockedWriteAttempt,
    DocumentMismatch,
    Invitation,
    BidOpening,
    BidAnswer,
):
    admin.site.register(model, ReadOnlyAdmin)


# A sealed submission's content is in Submission and SubmissionDocument, which the admin never shows (not
# registered): what it may show before opening is the step on the record, with its time and receipt digest.
@admin.register(TenderEvent)
class TenderEventAdmin(ReadOnlyAdmin):
    list_display = ("candidate", "kind", "at", "by", "sha256")
    list_select_related = ("candidate__msp", "candidate__evaluation", "by")
    list_filter = ("kind",)


class HidesResultsFromTheBlind(ReadOnlyAdmin):
    """Rows that carry results (scores, awards with their ranking): none of an evaluation the admin is
    assigned to score and has not submitted (``rules.is_blind``), the admin being as blind as anyone."""

    evaluation_path = "evaluation"

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(**{f"{self.evaluation_path}__in": blind_evaluations(request.user)})

    def _in_reach(self, request, object_id: str) -> None:
        # simple-history falls back to the history rows of an object outside the queryset: not here.
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404("No such record.")

    def history_view(self, request, object_id, extra_context=None):
        self._in_reach(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._in_reach(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Score)
class ScoreAdmin(HidesResultsFromTheBlind):
    evaluation_path = "bid__evaluation"


@admin.register(Award)
class AwardAdmin(HidesResultsFromTheBlind):
    pass


@admin.register(LockedRecord)
class LockedRecordAdmin(HidesResultsFromTheBlind):
    """The documents kept at each lock, to read: never written here (an unlock releases one, in the app)."""

    list_display = ("evaluation", "status", "locked_at", "package_digest", "ranking_digest", "released_at")
    list_select_related = ("evaluation",)
    list_filter = ("status",)


admin.site.register(PackageLoad, ReadOnlyAdmin)
