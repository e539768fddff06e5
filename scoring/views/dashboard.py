"""The dashboard of one evaluation."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.pagecache import cached_page
from scoring.models import Evaluation
from scoring.pages.dashboard import dashboard_page
from scoring.views.access import evaluation_view


@cached_page()
@evaluation_view()
def dashboard(request: HttpRequest, evaluation: Evaluation) -> HttpResponse:
    return render(request, "scoring/dashboard.html", dashboard_page(request.user, evaluation).context())
