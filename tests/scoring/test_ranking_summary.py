"""The stored ranking's summary, which the portfolio reads instead of the whole document."""

from __future__ import annotations

import importlib

from django.apps import apps

from accounts.roles import EVALUATOR
from scoring.models import StoredRanking

from ..conftest import client_for, make_user
from .factories import load, running_evaluation, scored_package, stored_document

migration = importlib.import_module("scoring.migrations.0012_ranking_summary")


def test_the_summary_is_stored_with_the_ranking_and_shown_in_the_portfolio(procurement, executive):
    evaluation = load(procurement, scored_package(3))  # clean bids: all three ranked, none flagged
    leader = stored_document(evaluation)["ranking"][0]
    assert leader["rank"] == 1
    stored = StoredRanking.objects.get(evaluation=evaluation)
    assert stored.summary == {"leader": {"vendor": leader["vendor"], "total": leader["total"]}, "flagged": 0, "bids": 3}

    page = client_for(executive).get("/").text
    assert f'{leader["vendor"]} <span class="badge text-bg-light border">{leader["total"]:.2f}</span>' in page
    assert "0 of 3" in page


def test_with_every_bid_disqualified_there_is_no_leader(procurement, evaluator, executive):
    # Acme's manual flag and Beacon's missing references each disqualify. (Executives never score:
    # a second evaluator submits.)
    w = running_evaluation(procurement, evaluator, make_user("second-evaluator", EVALUATOR))
    assert StoredRanking.objects.get(evaluation=w.evaluation).summary == {"leader": None, "flagged": 2, "bids": 2}
    page = client_for(executive).get("/").text
    assert "2 of 2" in page


def test_the_migration_fills_in_the_summary_of_rankings_stored_before_it(procurement, evaluator):
    w = running_evaluation(procurement, evaluator, make_user("second-evaluator", EVALUATOR))
    expected = StoredRanking.objects.get(evaluation=w.evaluation)
    StoredRanking.objects.filter(pk=expected.pk).update(summary={})

    migration.add_summaries(apps, None)

    after = StoredRanking.objects.get(pk=expected.pk)
    assert after.summary == expected.summary
    assert after.computed_at == expected.computed_at  # the ranking was not recomputed, only summarised
