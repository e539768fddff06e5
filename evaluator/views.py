from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from scoring.models import Organization
from scoring.selectors import visible_evaluations
from vendors.selectors import registry_summary


def home(request: HttpRequest) -> HttpResponse:
    evaluations = list(visible_evaluations(request.user).select_related("owner").order_by("-created_at"))
    assigned = {
        a.evaluation_id: a
        for a in request.user.assignments.filter(evaluation__in=[e.pk for e in evaluations]).only(
            "evaluation_id", "submitted_at"
        )
    }
    return render(
        request,
        "home.html",
        {
            "organization": Organization.objects.order_by("pk").first(),
            "registry": registry_summary(),
            "can_edit_registry": request.user.has_perm("vendors.add_msp"),
            "can_create_evaluation": request.user.has_perm("scoring.add_evaluation"),
            "evaluations": [(e, assigned.get(e.pk)) for e in evaluations],
        },
    )


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 ``ok`` when the app and its database answer; 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy"
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
