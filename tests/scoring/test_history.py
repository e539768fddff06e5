"""Loading a package is recorded in the audit history, attributed to the evaluation's owner."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.roles import PROCUREMENT
from scoring.models import (
    Assignment,
    Bid,
    ConflictOfInterest,
    Criterion,
    Evaluation,
    RedFlag,
    Requirement,
    RequirementMet,
    Score,
    Waiver,
)
from tests.scoring.test_commands import rich_package

RECORDED = [
    Evaluation,
    Criterion,
    Requirement,
    Assignment,
    Bid,
    RequirementMet,
    RedFlag,
    Waiver,
    ConflictOfInterest,
    Score,
]


@pytest.fixture
def procurement(db) -> User:
    """The owner: a Procurement user (no password: hashing one costs half a second and nobody logs in)."""
    User.objects.create_superuser("ada", "ada@example.com", None)  # the default owner, not used here
    user = User.objects.create_user("priya", "priya@example.com", None)
    user.groups.add(Group.objects.get(name=PROCUREMENT))
    return user


@pytest.fixture
def loaded(procurement, tmp_path) -> Evaluation:
    """The rich package loaded with --owner priya (not the default superuser, so attribution is visible)."""
    path = tmp_path / "package.json"
    path.write_text(json.dumps(rich_package()))
    out = io.StringIO()
    call_command("load_evaluation", str(path), "--owner", "priya", stdout=out, stderr=io.StringIO())
    return Evaluation.objects.get(pk=int(out.getvalue().strip().splitlines()[-1]))


# rich_package: 1 evaluation, 3 criteria, 1 requirement, 2 evaluators, 3 bids, 2 bids meeting hipaa-baa,
# 1 manual flag, 1 waiver, 1 conflict, 5 scores (3 by alice, 2 drafts by bob).
EXPECTED_CREATES = {
    Evaluation: 1,
    Criterion: 3,
    Requirement: 1,
    Assignment: 2,
    Bid: 3,
    RequirementMet: 2,
    RedFlag: 1,
    Waiver: 1,
    ConflictOfInterest: 1,
    Score: 5,
}


@pytest.mark.parametrize("model", RECORDED, ids=[m.__name__ for m in RECORDED])
def test_every_loaded_record_has_history_attributed_to_the_owner(loaded, procurement, model):
    history = model.history.all()
    assert history.count() > 0
    assert {row.history_user_id for row in history} == {procurement.pk}
    creates = history.filter(history_type="+")
    assert creates.count() == EXPECTED_CREATES[model]
    # one creation row per live record
    assert set(creates.values_list("id", flat=True)) == set(model.objects.values_list("pk", flat=True))


def test_history_rows_carry_the_loaded_values(loaded, procurement):
    evaluation_row = Evaluation.history.get(id=loaded.pk, history_type="+")
    assert (evaluation_row.title, evaluation_row.owner_id) == ("Managed IT services 2027", procurement.pk)
    waiver_row = Waiver.history.get(history_type="+")
    assert (waiver_row.code, waiver_row.reason) == ("no-references", "New firm; three clients called by phone")
    flag_row = RedFlag.history.get(history_type="+")
    assert flag_row.code == "bad-references"
    assert sorted(Score.history.filter(history_type="+").values_list("score", flat=True)) == [0, 0, 3, 4, 5]


def test_a_rejected_package_leaves_no_history(procurement, tmp_path):
    data = rich_package()
    data["scores"][0]["score"] = 9
    path = tmp_path / "package.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError):
        call_command("load_evaluation", str(path), "--owner", "priya", stdout=io.StringIO(), stderr=io.StringIO())
    assert all(model.history.count() == 0 for model in RECORDED)
