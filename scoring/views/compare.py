"""The side by side of chosen bids, and the consensus of the panel's scores."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.pagecache import cached_page
from scoring.models import Evaluation
from scoring.pages import compare as compare_pages
from scoring.pages.consensus import consensus_page
from scoring.views.access import evaluation_view


@cached_page("bid")
@evaluation_view("scoring.view_results", message="The comparison opens to you once you submit your scorecard.")
def compare(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    """Two to four bids in aligned columns, with the rows where they differ highlighted."""
    page = compare_pages.compare_page(evaluation, request.GET.getlist("bid"), request.GET.urlencode())
    return render(request, "scoring/compare.html", page.context())


@evaluation_view("scoring.view_results", message="Other evaluators' scores open to you once you submit.")
def consensus_view(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    """The submitted scores per bid and question, their spread, and each evaluator's leniency."""
    return render(request, "scoring/consensus.html", consensus_page(evaluation).context())
