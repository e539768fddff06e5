"""The portfolio at / : every evaluation the user may see, with its state at a glance."""

import datetime as dt

from scoring import services
from tests.conftest import client_for, make_user, page_queries
from tests.scoring.factories import make_bid, make_evaluation


def titles(response) -> list[str]:
    return sorted(row.record.title for row in response.context["table"].page.object_list)


def test_it_shows_evaluators_only_their_evaluations_and_executives_all(procurement, evaluator, executive):
    mine = make_evaluation(procurement, title="Assigned one")
    make_evaluation(procurement, title="Not assigned")
    services.evaluators_add(evaluation=mine, users=[evaluator])
    assert titles(client_for(evaluator).get("/")) == ["Assigned one"]
    assert titles(client_for(executive).get("/")) == ["Assigned one", "Not assigned"]
    assert titles(client_for(make_user("other-buyer", "Procurement")).get("/")) == []


def test_it_labels_the_price_standing_counts_scorecards_and_marks_overdue(procurement, evaluator, executive):
    evaluation = make_evaluation(procurement, title="Late one", decision_due=dt.date.today() - dt.timedelta(days=2))
    make_bid(evaluation, vendor="Leader IT")
    services.evaluators_add(evaluation=evaluation, users=[evaluator, make_user("second-evaluator", "Evaluator")])
    html = client_for(executive).get("/").content.decode()
    # One clean bid, no submitted scores: its 25.00 (price 100 % at weight 25 of 100, questions 0 %) is a
    # standing by price alone, so the row names the lowest price, labelled, and no total.
    assert "No scores yet · lowest price:</span> Leader IT" in html and "25.00" not in html
    assert "0 of 2 submitted" in html
    assert "overdue" in html


def test_it_filters_by_status_and_searches_titles(procurement, executive):
    make_evaluation(procurement, title="Alpha")
    beta = make_evaluation(procurement, title="Beta")
    services.evaluation_transition(evaluation=beta, to="cancelled")
    client = client_for(executive)
    assert titles(client.get("/?status=cancelled")) == ["Beta"]
    assert titles(client.get("/?q=alp&sort=title")) == ["Alpha"]


def test_it_uses_the_same_queries_for_3_and_30_evaluations(procurement, executive):
    client = client_for(executive)
    for index in range(3):
        make_bid(make_evaluation(procurement, title=f"E{index}"))
    small = page_queries(client, "/")
    for index in range(3, 30):
        make_bid(make_evaluation(procurement, title=f"E{index}"))
    large = page_queries(client, "/")
    # session, user, groups, the portfolio COUNT, the buyer profile, the registry summary, the user's
    # and their groups' permissions (asked of Django's backend once the rules say no to add_msp and
    # add_evaluation), the page of evaluations (owner, stored ranking, scorecard counts in one query),
    # the navbar's count of unread notifications; from the page cache: session, user, the data's revision
    assert small == large == (10, 3)
