from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from evaluator.pagecache import cached_page
from scoring.models import Organization
from scoring.views.portfolio import portfolio_table
from vendors.selectors import registry_summary


# The portfolio's filter (q, status, model) and table (sort, page, per_page) read these.
@cached_page("q", "status", "model", "sort", "page", "per_page")
def home(request: HttpRequest) -> HttpResponse:
    """The portfolio: every evaluation the user may see, then the registry and the buyer."""
    portfolio_filter, table = portfolio_table(request)
    return render(
        request,
        "home.html",
        {
            "filter": portfolio_filter,
            "table": table,
            "organization": Organization.objects.order_by("pk").first(),
            "registry": registry_summary(),
            "can_edit_registry": request.user.has_perm("vendors.add_msp"),
            "can_create_evaluation": request.user.has_perm("scoring.add_evaluation"),
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
