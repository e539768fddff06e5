from __future__ import annotations

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.tables import BaseTable

from .models import Evaluation, Status


def _summary(record: Evaluation) -> dict:
    """The stored ranking's summary (``analysis.summary``), annotated by ``selectors.portfolio``."""
    return getattr(record, "summary", None) or {}


# The colours of _status_badge.html, for rows drawn in Python.
_BADGE = {
    Status.AWARDED: "text-bg-success",
    Status.CANCELLED: "text-bg-secondary",
    Status.SCORING: "text-bg-primary",
    Status.DECISION: "text-bg-warning",
}


def status_badge(record: Evaluation) -> str:
    return format_html(
        '<span class="badge rounded-pill {}">{}</span>',
        _BADGE.get(record.status, "text-bg-light border"),
        record.get_status_display(),
    )


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
        # Sorting, headers and pages are django-tables2's; the rows are drawn by ``page_rows``.
        template_name = "scoring/_portfolio_table.html"
        sequence = ("title", "status", "model", "leader", "scorecards", "flagged", "scoring_due", "decision_due")
        empty_text = "No evaluation to show."

    def page_rows(self) -> list[list[tuple[str, str]]]:
        """The cells of this page's rows as (td class, HTML), each drawn once by the methods below.

        django-tables2's own cell machinery (it inspects every render method's signature for
        every cell) cost more than the whole rest of the portfolio page.
        """
        records = self.page.object_list.data if self.page else self.data
        return [
            [
                ("fw-semibold", format_html('<a href="{}">{}</a>', record.get_absolute_url(), record.title)),
                ("", status_badge(record)),
                ("", record.get_model_display()),
                ("", self.render_leader(record)),
                ("", self.render_scorecards(record)),
                ("", self.render_flagged(record)),
                ("", self.render_scoring_due(record, record.scoring_due)),
                ("", self.render_decision_due(record, record.decision_due)),
            ]
            for record in records
        ]

    def render_leader(self, record: Evaluation) -> str:
        """The leader and its total; nothing for the blind; the price standing, labelled, before any score."""
        if getattr(record, "blind", False):
            return mark_safe(  # noqa: S308 (a constant)
                '<span class="text-body-secondary"><i class="bi bi-eye-slash me-1" aria-hidden="true"></i>'
                "Results open when you submit your scorecard</span>"
            )
        leader = _summary(record).get("leader")
        if leader is None:
            return mark_safe('<span class="text-body-secondary">—</span>')  # noqa: S308 (a constant)
        if not record.submitted_count:
            # No scorecard counts yet: first place is the cheapest eligible bid, not a leader.
            return format_html(
                '<span class="text-body-secondary">No scores yet · lowest price:</span> {}', leader["vendor"]
            )
        return format_html(
            '{} <span class="badge text-bg-light border">{}</span>', leader["vendor"], f"{leader['total']:.2f}"
        )

    def render_scorecards(self, record: Evaluation) -> str:
        return f"{record.submitted_count} of {record.evaluator_count} submitted"

    def render_flagged(self, record: Evaluation) -> str:
        summary = _summary(record)
        return f"{summary.get('flagged', 0)} of {summary.get('bids', 0)}"

    def _due(self, record: Evaluation, value, open_statuses: tuple[str, ...]) -> str:
        if value is None:
            return self.default
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
