"""The portfolio of evaluations a person may see: the home page and the list of evaluations."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_tables2 import RequestConfig

from core.pagecache import cached_page
from scoring import selectors
from scoring.filters import PortfolioFilter
from scoring.tables import PortfolioTable
from vendors.selectors import registry_summary


def portfolio_table(request: HttpRequest) -> tuple[PortfolioFilter, PortfolioTable]:
    """The user's portfolio, filtered and sorted from the query string (shared by / and /evaluations/)."""
    portfolio_filter = PortfolioFilter(request.GET, queryset=selectors.portfolio(request.user))
    table = PortfolioTable(portfolio_filter.qs)
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return portfolio_filter, table


def evaluation_list(request: HttpRequest) -> HttpResponse:
    portfolio_filter, table = portfolio_table(request)
    return render(
        request,
        "scoring/evaluation_list.html",
        {
            "filter": portfolio_filter,
            "table": table,
            "can_create": request.user.has_perm("scoring.add_evaluation"),
        },
    )


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
