"""Needs assessments: the guide's questions, answered before an evaluation starts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from scoring import guide, selectors, services
from scoring.forms import (
    NeedsAssessmentForm,
)
from scoring.pages.setup import buyer_profile_initial
from scoring.views.access import add_errors, require


def assessment_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "scoring/assessment_list.html",
        {
            "assessments": selectors.visible_assessments(request.user).select_related("created_by"),
            "can_create": request.user.has_perm("scoring.add_evaluation"),
        },
    )


def assessment_create(request: HttpRequest) -> HttpResponse:
    require(request, "scoring.add_evaluation", None, "Only Procurement and admins run needs assessments.")
    initial = buyer_profile_initial()
    form = NeedsAssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect(assessment)
    return render(request, "scoring/assessment_form.html", {"form": form})


QUICK_GUIDE = [
    ("under-50-no-it", "Under 50 employees, no IT staff", "Fully managed"),
    ("50-100-one-it", "50–100 employees, 1 IT person", "Co-managed, to support the solo worker"),
    ("100-300-small-team", "100–300 employees, 2–5 IT staff", "Co-managed, strongly recommended"),
    ("300-plus-department", "300+ employees, established IT department", "Co-managed or selective specialist work"),
    ("heavy-compliance", "Any size, heavy compliance focus", "Depends on the depth of internal expertise"),
]


def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(selectors.visible_assessments(request.user), pk=pk)
    result = guide.assess(services.profile_of(assessment))
    answered = set(assessment.answers)
    return render(
        request,
        "scoring/assessment_detail.html",
        {
            "assessment": assessment,
            "result": result,
            "quick_guide": QUICK_GUIDE,
            "matched": {result.rule} | ({"heavy-compliance"} if assessment.heavy_compliance else set()),
            "answered_groups": [
                (title, [text for key, text in options.items() if key in answered])
                for title, options in (
                    ("Fully managed indicators", guide.FULLY_MANAGED_INDICATORS),
                    ("Co-managed indicators", guide.CO_MANAGED_INDICATORS),
                    ("Co-managed triggers", guide.CO_MANAGED_TRIGGERS),
                )
            ],
            "can_start": request.user.has_perm("scoring.add_evaluation"),
            "steps": guide.DECISION_STEPS,
            "misconceptions": guide.MISCONCEPTIONS,
        },
    )
