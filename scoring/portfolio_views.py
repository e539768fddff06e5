"""The home page: the user's portfolio of evaluations, then the registry and the buyer."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.pagecache import cached_page
from vendors.selectors import registry_summary

from . import selectors
from .views import portfolio_table


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
            "organization": selectors.buyer_organization(),
            "registry": registry_summary(),
            "can_edit_registry": request.user.has_perm("vendors.add_msp"),
            "can_create_evaluation": request.user.has_perm("scoring.add_evaluation"),
        },
    )
