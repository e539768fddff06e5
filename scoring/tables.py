from __future__ import annotations

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from evaluator.tables import BaseTable

from .models import Evaluation, Status


def _leader(record: Evaluation) -> dict | None:
    stored = getattr(record, "stored_ranking", None)
    rows = stored.document.get("ranking", []) if stored else []
    return rows[0] if rows and rows[0].get("rank") == 1 else None


class PortfolioTable(BaseTable):
    """Every evaluation the user may see, at a glance. Reads annotations and the stored ranking only."""

    title = tables.Column(linkify=True, verbose_name="Evaluation", attrs={"td": {"class": "fw-semibold"}})
    status = tables.TemplateColumn(template_name="scoring/_status_cell.html")
    model = tables.Column(verbose_name="Model")
    leader = tables.Column(empty_values=(), orderable=False, verbose_name="Leader")
    scorecards = tables.Column(empty_values=(), verbose_name="Scorecards", order_by=("submitted_count",))
    flagged = tables.Column(empty_values=(), orderable=False, verbose_name="Red-flagged bids")
    scoring_due = tables.Column(verbose_name="Scoring due")
    decision_due = tables.Column(verbose_name="Decision")

    class Meta(BaseTable.Meta):
        model = Evaluation
        fields = ()
        sequence = ("title", "status", "model", "leader", "scorecards", "flagged", "scoring_due", "decision_due")
        empty_text = "No evaluation to show."

    def render_leader(self, record: Evaluation) -> str:
        leader = _leader(record)
        if leader is None:
            return mark_safe('<span class="text-body-secondary">—</span>')  # noqa: S308 (a constant)
        return format_html(
            '{} <span class="badge text-bg-light border">{}</span>', leader["vendor"], f"{leader['total']:.2f}"
        )

    def render_scorecards(self, record: Evaluation) -> str:
        return f"{record.submitted_count} of {record.evaluator_count} submitted"

    def render_flagged(self, record: Evaluation) -> str:
        stored = getattr(record, "stored_ranking", None)
        rows = stored.document.get("ranking", []) if stored else []
        flagged = sum(1 for row in rows if row["red_flags"])
        return f"{flagged} of {len(rows)}"

    def _due(self, record: Evaluation, value, open_statuses: tuple[str, ...]) -> str:
        today = timezone.localdate()
        if value < today and record.status in open_statuses:
            return format_html('<span class="text-danger fw-semibold">{} · overdue</span>', value.strftime("%-d %b %Y"))
        days = (value - today).days
        hint = f"in {days} day{'s' if days != 1 else ''}" if days > 0 else ("today" if days == 0 else "")
        return format_html('{} <span class="small text-body-secondary">{}</span>', value.strftime("%-d %b %Y"), hint)

    def render_scoring_due(self, record: Evaluation, value) -> str:
        return self._due(record, value, (Status.DRAFT, Status.COLLECTING_BIDS, Status.SCORING))

    def render_decision_due(self, record: Evaluation, value) -> str:
        return self._due(record, value, (Status.DRAFT, Status.COLLECTING_BIDS, Status.SCORING, Status.DECISION))
