"""Pages an executive decides from: sensitivity and what-if, the board pack, the side-by-side workbook.

Objects are fetched through ``views._evaluation`` (scoped to the user), and
every page here needs the ``scoring.view_results`` permission: an evaluator
who has not submitted sees none of it.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from scoring import consensus, exports, insight, ranking, selectors, services
from scoring.forms import WhatIfForm
from scoring.models import Award, AwardDecision, Bid, ConflictOfInterest, Criterion, Evaluation, Score, Waiver
from scoring.views.access import download_name, evaluation_view
from scoring.views.compare import bid_picker, compare_page, compare_sections

# --- Sensitivity and what-if -------------------------------------------------------------------


def _what_if(evaluation: Evaluation, weights: dict[str, Decimal], official: dict) -> list[dict]:
    """The ranking with trial weights, beside the official one; computed, never saved."""
    source = selectors.ranking_input(evaluation)
    trial = dataclasses.replace(
        source.data,
        criteria=tuple(dataclasses.replace(c, weight=weights[c.key]) for c in source.data.criteria),
    )
    before = {row["vendor"]: row for row in official["ranking"]}
    result = []
    for row in ranking.rank(trial):
        if row.rank is None:
            continue
        was = before.get(row.vendor, {})
        total = ranking.written(row.total)
        result.append(
            {
                "rank": row.rank,
                "vendor": row.vendor,
                "model": row.model,
                "total": total,
                "official_rank": was.get("rank"),
                "official_total": was.get("total"),
                "moved": (was["rank"] - row.rank) if was.get("rank") else 0,
                "delta": round(total - was["total"], 2) if was.get("total") is not None else None,
            }
        )
    return result


@evaluation_view("scoring.view_results", message="The ranking opens to you once you submit your scorecard.")
def sensitivity(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    """How robust the lead is, weight by weight, and a panel to try other weights (nothing saved)."""
    criteria = list(Criterion.objects.filter(evaluation=evaluation))
    document, stored = services.stored_results(evaluation)
    trying = any(key.startswith("w_") for key in request.GET)
    # A link may carry only the weights it changes: the others stay as the evaluation has them.
    data = {WhatIfForm.field_name(c): f"{c.weight.normalize():f}" for c in criteria}
    data.update({key: request.GET[key] for key in data if key in request.GET})
    form = WhatIfForm(data if trying else None, criteria=criteria)
    trial = _what_if(evaluation, form.weights(), document) if trying and form.is_valid() else None
    context = {
        "evaluation": evaluation,
        "criteria": criteria,
        "form": form,
        "fields": [(c, form[WhatIfForm.field_name(c)]) for c in criteria],
        "trial": trial,
        "official": [row for row in document["ranking"] if row["status"] == "ranked"],
        "lead": insight.lead(document),
        "scored": stored.get("scored", True),
        "robustness": insight.robustness(stored, criteria),
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = "scoring/_whatif_result.html" if partial else "scoring/sensitivity.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- Board pack --------------------------------------------------------------------------------


@evaluation_view("scoring.view_results", message="The board pack opens to you once you submit your scorecard.")
def board_pack(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    """Everything a board needs on paper: ranking, charts, red flags, consensus, sensitivity, recommendation."""
    criteria = list(Criterion.objects.filter(evaluation=evaluation))
    bids = list(Bid.objects.filter(evaluation=evaluation).select_related("msp"))
    context = insight.results(evaluation, criteria, bids)
    submitted = Score.objects.filter(bid__evaluation=evaluation, assignment__submitted_at__isnull=False).values_list(
        "assignment__evaluator__username", "bid__vendor_name", "criterion__key", "score"
    )
    cells = consensus.cells(submitted)
    text_of = {c.key: c.text for c in criteria}
    context.update(
        {
            "evaluation": evaluation,
            "criteria": criteria,
            "printed_at": timezone.now(),
            "discuss": sorted(
                ((cell.vendor, text_of.get(cell.criterion, cell.criterion), cell) for cell in cells if cell.discuss),
                key=lambda item: (item[0].casefold(), item[1]),
            ),
            "cell_count": len(cells),
            "discuss_range": consensus.DISCUSS_RANGE,
            "leniency": sorted(consensus.leniency(cells).items()),
            "waivers": Waiver.objects.filter(bid__evaluation=evaluation, revoked_at__isnull=True)
            .select_related("bid", "waived_by")
            .order_by("bid__vendor_name", "code"),
            "conflicts": ConflictOfInterest.objects.filter(evaluation=evaluation).select_related("evaluator", "msp"),
            "incomplete": [row["vendor"] for row in context["ranked"] if not row["complete"]],
            "award": Award.objects.filter(evaluation=evaluation, decision=AwardDecision.APPROVED)
            .select_related("bid", "decided_by")
            .first(),
        }
    )
    return render(request, "scoring/board_pack.html", context)


# --- Side by side as a workbook ----------------------------------------------------------------


@evaluation_view("scoring.view_results", message="The comparison opens to you once you submit your scorecard.")
def compare_xlsx(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    """The side-by-side comparison of the chosen bids as an XLSX workbook, differences highlighted."""
    bids = bid_picker(evaluation)
    chosen, sections, error = compare_sections(request, evaluation, bids)
    if error or not sections:
        return compare_page(
            request, evaluation, bids, chosen, error=error or "Pick two to four bids of this evaluation.", status=400
        )
    body = exports.comparison_xlsx(evaluation, [bid.vendor_name for bid in chosen], sections)
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{download_name(evaluation, "side-by-side.xlsx")}"'
    return response
