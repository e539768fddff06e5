"""The portfolio of evaluations a person may see."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_tables2 import RequestConfig

from scoring import selectors
from scoring.filters import PortfolioFilter
from scoring.tables import PortfolioTable


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
