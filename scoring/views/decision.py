"""Pages an executive decides from: sensitivity and what-if, the board pack, the side-by-side workbook.

Every page here goes through ``access.evaluation_view`` with the ``scoring.view_results``
permission: an evaluator who has not submitted sees none of it.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from scoring import exports, selectors
from scoring.models import Evaluation
from scoring.pages import compare as compare_pages
from scoring.pages import decision as pages
from scoring.views.access import download_name, evaluation_view

# --- Sensitivity and what-if -------------------------------------------------------------------


@evaluation_view("scoring.view_results", message="The ranking opens to you once you submit your scorecard.")
def sensitivity(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    """How robust the lead is, weight by weight, and a panel to try other weights (nothing saved)."""
    page = pages.sensitivity_page(evaluation, request.GET)
    partial = request.htmx and not request.htmx.history_restore_request
    template = "scoring/_whatif_result.html" if partial else "scoring/sensitivity.html"
    response = render(request, template, page.context())
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- Board pack --------------------------------------------------------------------------------


@evaluation_view("scoring.view_results", message="The board pack opens to you once you submit your scorecard.")
def board_pack(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    """Everything a board needs on paper: ranking, charts, red flags, consensus, sensitivity, recommendation."""
    return render(request, "scoring/board_pack.html", pages.board_pack(evaluation).context())


# --- Side by side as a workbook ----------------------------------------------------------------


@evaluation_view("scoring.view_results", message="The comparison opens to you once you submit your scorecard.")
def compare_xlsx(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    """The side-by-side comparison of the chosen bids as an XLSX workbook, differences highlighted."""
    bids = selectors.bid_picker(evaluation)
    found = compare_pages.comparison(evaluation, bids, request.GET.getlist("bid"))
    if found.error or not found.sections:
        error = found.error or "Pick two to four bids of this evaluation."
        page = compare_pages.ComparePage(evaluation, bids, found.chosen, [], "", error, request.GET.urlencode())
        return render(request, "scoring/compare.html", page.context(), status=400)
    body = exports.comparison_xlsx(evaluation, [bid.vendor_name for bid in found.chosen], found.sections)
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{download_name(evaluation, "side-by-side.xlsx")}"'
    return response
