"""The permission matrix: every URL pattern of the app, every role, the status each gets.

Roles: anonymous, the evaluation's owner (Procurement), another Procurement
user, an assigned evaluator who has submitted, an unassigned evaluator, an
executive, an auditor and an admin.

The rules the matrix writes down:

* Anonymous visitors are sent to the login page, except from the login page and ``/healthz``.
* An evaluation outside a user's scope answers 404 on every address of it (a guessed id
  is 404, never data); a visible object the role may not act on answers 403.
* An auditor reads everything and changes nothing: every request of theirs that would
  change data is 403 (their own password and logout aside), and nothing is written.

``test_the_matrix_describes_every_url_pattern`` walks the URL resolver: a new page
the matrix does not describe fails the suite until it is added here.

Beside the matrix: guessed ids (missing, another buyer's, an object of another
evaluation under a visible one, another buyer's ids in the query string) are 404 or
ignored, never data; refused writes to an awarded evaluation leave no trace; an
evaluator who has not submitted sees no results.

Requests the app answers wrongly today stay in the matrix with the correct
expectation and are marked ``xfail(strict=True)`` in ``APP_BUGS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser, Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from accounts.roles import EVALUATOR, PROCUREMENT
from accounts.roles import MSP as MSP_ROLE
from notifications import urls as notifications_urls
from notifications.models import Notification, Reminder
from scoring import services
from scoring import urls as scoring_urls
from scoring.models import Clarification, Criterion, Evaluation, Invitation
from tests.conftest import PASSWORD, client_for, make_user
from tests.scoring.factories import (
    CONTRACT_EXAMPLE,
    assign,
    bid_form_data,
    evaluation_form_data,
    make_bid,
    make_evaluation,
    make_msp,
    move_to,
    questions,
    refreshed,
    running_evaluation,
    score,
    start_scoring,
)
from vendors import services as vendor_services
from vendors import urls as vendors_urls
from vendors.models import MspAccount

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"

ROLES = (
    "anonymous",
    "owner",
    "other_procurement",
    "assigned_evaluator",
    "unassigned_evaluator",
    "executive",
    "auditor",
    "admin",
    "msp_user",  # a bidding MSP's person, invited to the bid room of another evaluation (TENDER_TITLE)
)
LOGGED_IN = ROLES[1:]
LOGIN = "login"  # a 302 to the login page, carrying ?next=

# Titles of the evaluations: none may appear in a 404 (out of scope means no data).
TITLE = "Matrix evaluation in scoring"
AWARDED_TITLE = "Matrix evaluation awarded"
DECISION_TITLE = "Matrix evaluation at decision"
PENDING_TITLE = "Matrix evaluation with a proposed award"
ELSEWHERE_TITLE = "Other buyer matrix evaluation"

TITLES = (TITLE, AWARDED_TITLE, DECISION_TITLE, PENDING_TITLE, ELSEWHERE_TITLE)
# The evaluation collecting bids to which the MSP user is invited, and a rival bidder they must never see.
TENDER_TITLE = "Matrix tender collecting bids"
RIVAL = "Rival Tender IT"
# The organizations of the owner's needs assessment and of the other buyer's.
ASSESSMENT = "Harbor Orthodontics"
ELSEWHERE_ASSESSMENT = "Elsewhere Veterinary"

# What each role must never be shown, on any page: the data of what lies outside its scope.
HIDDEN: dict[str, tuple[str, ...]] = {
    "anonymous": (*TITLES, ASSESSMENT, ELSEWHERE_ASSESSMENT),
    "owner": (ELSEWHERE_TITLE, ELSEWHERE_ASSESSMENT),
    "other_procurement": (TITLE, AWARDED_TITLE, DECISION_TITLE, PENDING_TITLE, ASSESSMENT),
    "assigned_evaluator": (ELSEWHERE_TITLE, ASSESSMENT, ELSEWHERE_ASSESSMENT),
    "unassigned_evaluator": (*TITLES, ASSESSMENT, ELSEWHERE_ASSESSMENT),
    "executive": (),
    "auditor": (),
    "admin": (),
    "msp_user": (*TITLES, ASSESSMENT, ELSEWHERE_ASSESSMENT, RIVAL),
}

Expected = dict[str, int | str]


# --- The world ---------------------------------------------------------------------------------


def _document(bid: Any, by: AbstractBaseUser) -> Any:
    upload = SimpleUploadedFile("proposal.pdf", PDF, "application/pdf")
    return services.document_upload(bid=bid, kind="proposal", upload=upload, by=by)


def _scored(owner: AbstractBaseUser, evaluator: AbstractBaseUser, title: str, *statuses: str) -> SimpleNamespace:
    """An evaluation with two clean bids, ``evaluator`` assigned and submitted, moved on through ``statuses``."""
    evaluation = make_evaluation(owner, title=title)
    leader = make_bid(evaluation, "Acme Managed IT", monthly_fee=900)
    runner_up = make_bid(evaluation, "Beacon IT", monthly_fee=1500)
    (assignment,) = assign(evaluation, evaluator)
    start_scoring(evaluation)
    score(assignment, {"Acme Managed IT": 5, "Beacon IT": 2})
    evaluation = move_to(evaluation, *statuses)
    return SimpleNamespace(evaluation=evaluation, leader=leader, runner_up=runner_up, assignment=refreshed(assignment))


def _elsewhere(world: SimpleNamespace) -> SimpleNamespace:
    """The same kinds of object, all in an awarded evaluation another Procurement user owns."""
    owner, evaluator = world.users["other_procurement"], make_user("dora", EVALUATOR)
    evaluation = make_evaluation(owner, title=ELSEWHERE_TITLE)
    acme = make_bid(evaluation, "Acme Managed IT")
    beacon = make_bid(evaluation, "Beacon IT", references_offered=0, monthly_fee=2000)
    flag = services.flag_raise(bid=acme, code="slow-invoices", note="Late invoices.", by=owner)
    waiver = services.waiver_create(bid=beacon, code="no-references", reason="Checked by phone.", by=owner)
    document = _document(acme, owner)
    (assignment,) = assign(evaluation, evaluator)
    start_scoring(evaluation)
    score(assignment, {"Acme Managed IT": 4, "Beacon IT": 3})
    evaluation = move_to(evaluation, "decision", "awarded")
    award = evaluation.awards.get()
    loser = acme if award.bid_id == beacon.pk else beacon
    return SimpleNamespace(
        **{
            **vars(world),
            "evaluation": evaluation,
            "acme": acme,
            "beacon": beacon,
            "flag": flag,
            "waiver": waiver,
            "document": document,
            "candidate": evaluation.candidates.get(msp=acme.msp),
            "evaluation_invitation": (elsewhere_invitation := _bid_room_invitation(
                evaluation.candidates.get(msp=acme.msp), "Ella Else", "ella.else@acme.example"
            )),
            "clarification": _clarification(elsewhere_invitation),
            "question": questions(evaluation)[0],
            "assignment": refreshed(assignment),
            "awarded": evaluation,
            "award": award,
            "loser": loser,
            "decision": evaluation,
            "decision_leader": award.bid,
            "pending": evaluation,
            "pending_award": award,
            "assessment": services.assessment_create(
                created_by=owner, organization_name=ELSEWHERE_ASSESSMENT, employees=10, devices=10, it_staff=0,
                it_staff_annual_cost=0, answers=[],
            ),
        }
    )  # fmt: skip


def _bid_room_invitation(candidate: Any, name: str, email: str) -> Invitation:
    """An invitation of one of the candidate MSP's people, made directly (the world's evaluations are past
    collecting bids, when the service invites)."""
    contact = vendor_services.contact_create(msp=candidate.msp, name=name, email=email)
    user = User.objects.create_user(email, email, PASSWORD, first_name=name.split()[0])
    user.groups.add(Group.objects.get(name=MSP_ROLE))
    account = MspAccount.objects.create(user=user, msp=candidate.msp, contact=contact)
    return Invitation.objects.create(candidate=candidate, account=account, invited_by=candidate.evaluation.owner)


def _clarification(invitation: Invitation) -> Clarification:
    """A question asked in the bid room (made directly: the world's evaluations no longer take questions)."""
    candidate = invitation.candidate
    return Clarification.objects.create(
        evaluation=candidate.evaluation,
        candidate=candidate,
        question="Is travel billed?",
        asked_by=invitation.account.user,
    )


def _tender(world: SimpleNamespace) -> None:
    """The MSP user's own: an evaluation collecting bids with them invited, and a rival they never see."""
    owner = world.users["owner"]
    tender = make_evaluation(owner, title=TENDER_TITLE, bids_due=timezone.localdate() + timedelta(days=30))
    mine, rival = make_msp("Tender Bidder IT"), make_msp(RIVAL)
    candidates = services.candidate_invite(evaluation=tender, msps=[mine, rival], by=owner)
    move_to(tender, "collecting_bids")
    world.invitation = _bid_room_invitation(candidates[0], "Tess Bidder", "tess@bidder.example")
    _bid_room_invitation(candidates[1], "Rhea Rival", "rhea@rival.example")
    world.users["msp_user"] = world.invitation.account.user


def build_world() -> SimpleNamespace:
    owner = make_user("priya", PROCUREMENT)
    users = {
        "owner": owner,
        "other_procurement": make_user("other-buyer", PROCUREMENT),
        "assigned_evaluator": make_user("sam", EVALUATOR),
        "unassigned_evaluator": make_user("erin", EVALUATOR),
        "executive": make_user("marcus", "Executive"),
        "auditor": make_user("aisha", "Auditor"),
        "admin": make_user("ada", superuser=True),
    }
    sam = users["assigned_evaluator"]
    # In scoring: Acme carries a manual flag and a document; Beacon's no-clear-sla flag is waived
    # and its no-references flag can still be waived. Sam submitted; Evan (a bystander) has not.
    running = running_evaluation(owner, make_user("evan", EVALUATOR), sam)
    Evaluation.objects.filter(pk=running.evaluation.pk).update(title=TITLE)
    awarded = _scored(owner, sam, AWARDED_TITLE, "decision", "awarded")
    decision = _scored(owner, sam, DECISION_TITLE, "decision")
    pending = _scored(owner, sam, PENDING_TITLE, "decision")
    pending_award = services.award_propose(
        evaluation=pending.evaluation, bid=pending.leader, rationale="Ranked first.", by=owner
    )
    acme_msp = running.acme.msp
    archived = vendor_services.msp_create(name="Old Networks", offers_fully_managed=True)
    vendor_services.msp_archive(msp=archived, expected_version=archived.version)
    world = SimpleNamespace(
        users=users,
        evaluation=refreshed(running.evaluation),
        acme=running.acme,
        beacon=running.beacon,
        flag=running.flag,
        waiver=running.waiver,
        document=_document(running.acme, owner),
        candidate=running.evaluation.candidates.get(msp=running.acme.msp),
        question=questions(running.evaluation)[0],
        spare_msp=vendor_services.msp_create(name="Candidate Test IT", offers_fully_managed=True),
        assignment=running.submitted,
        awarded=awarded.evaluation,
        award=awarded.evaluation.awards.get(),
        loser=awarded.runner_up,
        decision=decision.evaluation,
        decision_leader=decision.leader,
        pending=pending.evaluation,
        pending_award=pending_award,
        blind=running.pending.evaluator,
        assessment=services.assessment_create(
            created_by=owner,
            organization_name=ASSESSMENT,
            employees=75,
            devices=90,
            it_staff=1,
            it_staff_annual_cost=95000,
            answers=["coverage_gaps"],
        ),
        msp=refreshed(acme_msp),
        archived_msp=refreshed(archived),
        contact=vendor_services.contact_create(msp=acme_msp, name="Luis Moreno", email="luis@acme.example"),
        reference=vendor_services.reference_create(msp=acme_msp, client="Orange Valley Credit Union"),
        spare_evaluator=make_user("ezra", EVALUATOR),
        new_msp=make_msp("Delta Support"),
    )
    world.msp = refreshed(world.msp)
    reminder = Reminder.objects.create(
        rule="scoring-due",
        subject_key="matrix:1",
        recipient=owner,
        period="due-in-3",
        evaluation=world.evaluation,
        title="Scorecards due in 3 days",
        body="Two scorecards are still open.",
        url=world.evaluation.get_absolute_url(),
    )
    world.notification = Notification.objects.create(user=owner, reminder=reminder)
    world.evaluation_invitation = _bid_room_invitation(world.candidate, "Luis Moreno", "luis.tender@acme.example")
    world.clarification = _clarification(world.evaluation_invitation)
    _tender(world)
    world.elsewhere = _elsewhere(world)
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[SimpleNamespace]:
    """Built once for the module inside a transaction rolled back at its end.

    Each test runs in its own savepoint (pytest-django), so what one test writes is gone for the next.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# --- What each role gets -----------------------------------------------------------------------


def _roles(default: int | str, **codes: int | str) -> Expected:
    # A bidding MSP's person reaches the bid room and their own account only (portal.middleware): 404 elsewhere.
    expected: Expected = {"anonymous": LOGIN, **dict.fromkeys(LOGGED_IN, default), "msp_user": 404, **codes}
    assert set(expected) == set(ROLES), expected
    return expected


def everyone(ok: int) -> Expected:
    """Every logged-in user."""
    return _roles(ok)


def bid_room(ok: int) -> Expected:
    """The bid room: the MSPs' people on their own invitation; every internal user 403."""
    return _roles(403, msp_user=ok)


def creators(ok: int) -> Expected:
    """Procurement and admins (the registry, new evaluations, assessments, imports); others 403."""
    return _roles(403, owner=ok, other_procurement=ok, admin=ok)


OUTSIDERS = {"other_procurement": 404, "unassigned_evaluator": 404}


def viewers(ok: int) -> Expected:
    """Everyone who sees the evaluation: owner, assigned evaluator (submitted), executives, auditors, admins."""
    return _roles(ok, **OUTSIDERS)


def record_readers(ok: int) -> Expected:
    """``scoring.export_package``: the package, history and award record carry every evaluator's drafts."""
    return _roles(ok, assigned_evaluator=403, **OUTSIDERS)


def managers(ok: int) -> Expected:
    """``scoring.manage_evaluation``: the owner and admins."""
    return _roles(403, owner=ok, admin=ok, **OUTSIDERS)


def scorers(ok: int) -> Expected:
    """Only an assigned evaluator has a scorecard."""
    return _roles(403, assigned_evaluator=ok, **OUTSIDERS)


def deciders(ok: int) -> Expected:
    """An executive who did not score it; not admins, who are not executives."""
    return _roles(403, executive=ok, **OUTSIDERS)


def unlockers(ok: int) -> Expected:
    return _roles(403, admin=ok, **OUTSIDERS)


Builder = Callable[[SimpleNamespace], dict[str, Any]]


def _none(w: SimpleNamespace) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Row:
    """One URL pattern: how to build its address from a world, and what each role gets per method."""

    get: Expected | None = None
    post: Expected | None = None
    kwargs: Builder = _none
    query: Builder = _none
    data: Builder = _none
    methods: dict[str, Expected] = field(init=False)

    def __post_init__(self) -> None:
        found = {m: e for m, e in (("GET", self.get), ("POST", self.post)) if e is not None}
        object.__setattr__(self, "methods", found)


def ev(w: SimpleNamespace) -> dict[str, int]:
    return {"pk": w.evaluation.pk}


def on_bid(name: str) -> Builder:
    return lambda w: {"pk": w.evaluation.pk, "bid_pk": getattr(w, name).pk}


def reason(w: SimpleNamespace) -> dict[str, Any]:
    return {"reason": "Agreed at the review meeting."}


def document_data(w: SimpleNamespace) -> dict[str, Any]:
    return {
        "kind": "proposal",
        "envelope": "technical",
        "file": SimpleUploadedFile("terms.pdf", PDF, "application/pdf"),
    }


def import_data(w: SimpleNamespace) -> dict[str, Any]:
    return {"package": SimpleUploadedFile("package.json", CONTRACT_EXAMPLE.read_bytes(), "application/json")}


def msp_data(w: SimpleNamespace) -> dict[str, Any]:
    msp = refreshed(w.msp)
    return {
        "name": msp.name,
        "website": "https://acme.example",
        "headquarters": "Irvine, CA",
        "service_area": msp.service_area,
        "onsite_availability": msp.onsite_availability,
        "offers_fully_managed": "on",
        "notes": "Edited.",
        "version": msp.version,
    }


def new_msp_data(w: SimpleNamespace) -> dict[str, Any]:
    return {
        "name": "Brightwater IT",
        "website": "https://brightwater.example",
        "onsite_availability": "next_day",
        "offers_fully_managed": "on",
    }


def contact_data(w: SimpleNamespace) -> dict[str, Any]:
    return {"name": "Dana Whitfield", "title": "Account executive", "email": "dana@acme.example", "active": "on"}


def contact_edit_data(w: SimpleNamespace) -> dict[str, Any]:
    return {**contact_data(w), "version": refreshed(w.contact).version}


def reference_data(w: SimpleNamespace) -> dict[str, Any]:
    return {"client": "Westside Pediatrics", "client_employees": 45, "outcome": "not_checked"}


def reference_edit_data(w: SimpleNamespace) -> dict[str, Any]:
    return {**reference_data(w), "version": refreshed(w.reference).version}


def assessment_data(w: SimpleNamespace) -> dict[str, Any]:
    return {
        "organization_name": "Bayside Dental",
        "employees": "75",
        "devices": "90",
        "it_staff": "1",
        "it_staff_annual_cost": "95000",
        "industry": "healthcare",
        "compliance": "HIPAA",
        "co_managed_indicators": ["coverage_gaps"],
    }


def criteria_data(w: SimpleNamespace) -> dict[str, Any]:
    weights = {f"weight_{c.pk}": "1" for c in Criterion.objects.filter(evaluation=w.evaluation)}
    return {**weights, "reason": "Equal weights, agreed with the board."}


def response_data(w: SimpleNamespace) -> dict[str, Any]:
    """A draft of the MSP user's response (saved, not submitted)."""
    return {"model": "fully_managed", "pricing_model": "flat", "monthly_fee": "1200"}


def compare_query(w: SimpleNamespace) -> dict[str, Any]:
    return {"bid": [w.acme.pk, w.beacon.pk]}


MATRIX: dict[str, Row] = {
    # The project's own pages
    "home": Row(get={**everyone(200), "msp_user": 302}),  # the MSPs' people are sent to the bid room
    "healthz": Row(get={**everyone(200), "anonymous": 200, "msp_user": 200}),
    # Accounts: everyone signs in and out and changes their own password (the auditor and MSPs' people too).
    "login": Row(
        get=_roles(302, anonymous=200, msp_user=302),  # a signed-in user is sent home
        post=_roles(302, anonymous=302, msp_user=302),
        data=lambda w: {"username": "priya", "password": PASSWORD},
    ),
    "logout": Row(post=_roles(302, msp_user=302)),
    "password_change": Row(
        get=_roles(200, msp_user=200),
        post=_roles(302, msp_user=302),
        data=lambda w: {
            "old_password": PASSWORD,
            "new_password1": "a-much-longer-new-passphrase-42",
            "new_password2": "a-much-longer-new-passphrase-42",
        },
    ),
    "password_change_done": Row(get=_roles(200, msp_user=200)),
    # The bid room: the MSPs' people only (internal users 403), each on their own invitation; the
    # invitation's link and asking for a new one need no sign-in.
    "portal:home": Row(get=bid_room(200)),
    "portal:request": Row(get=bid_room(200), kwargs=lambda w: {"pk": w.invitation.pk}),
    "portal:response": Row(
        get=bid_room(200), post=bid_room(302), kwargs=lambda w: {"pk": w.invitation.pk}, data=response_data
    ),
    "portal:withdraw": Row(post=bid_room(302), kwargs=lambda w: {"pk": w.invitation.pk}),
    "portal:acknowledge": Row(post=bid_room(404), kwargs=lambda w: {"pk": w.invitation.pk, "addendum_pk": 987654321}),
    "portal:ask": Row(
        post=bid_room(302), kwargs=lambda w: {"pk": w.invitation.pk}, data=lambda w: {"question": "Is travel billed?"}
    ),
    "portal:documents": Row(
        get=bid_room(200),
        post=bid_room(200),  # no file sent: the form says so
        kwargs=lambda w: {"pk": w.invitation.pk},
        data=lambda w: {"kind": "proposal", "envelope": "technical"},
    ),
    "portal:document": Row(get=bid_room(404), kwargs=lambda w: {"pk": w.invitation.pk, "document_pk": 987654321}),
    "portal:document_remove": Row(
        post=bid_room(302), kwargs=lambda w: {"pk": w.invitation.pk, "document_pk": 987654321}
    ),
    "portal:outcome": Row(get=bid_room(200), kwargs=lambda w: {"pk": w.invitation.pk}),
    # No letter until the buyer decides (this tender is collecting bids).
    "portal:outcome_letter": Row(get=bid_room(404), kwargs=lambda w: {"pk": w.invitation.pk}),
    "portal:decline": Row(
        post=bid_room(302), kwargs=lambda w: {"pk": w.invitation.pk}, data=lambda w: {"reason": "Fully booked."}
    ),
    "portal:welcome": Row(
        get={**everyone(200), "anonymous": 200, "msp_user": 200},  # a used link: "this link no longer works"
        kwargs=lambda w: {"uidb64": "MQ", "token": "set-password"},
    ),
    "portal:new_link": Row(
        get={**everyone(200), "anonymous": 200, "msp_user": 200},
        post={**everyone(302), "anonymous": 302, "msp_user": 302},
        data=lambda w: {"email": "nobody@example.com"},
    ),
    # The MSP registry: every role reads it, Procurement and admins change it.
    "vendors:list": Row(get=everyone(200)),
    "vendors:create": Row(get=creators(200), post=creators(302), data=new_msp_data),
    "vendors:detail": Row(get=everyone(200), kwargs=lambda w: {"pk": w.msp.pk}),
    "vendors:edit": Row(get=creators(200), post=creators(302), kwargs=lambda w: {"pk": w.msp.pk}, data=msp_data),
    "vendors:archive": Row(
        post=creators(302), kwargs=lambda w: {"pk": w.msp.pk}, data=lambda w: {"version": refreshed(w.msp).version}
    ),
    "vendors:restore": Row(
        post=creators(302),
        kwargs=lambda w: {"pk": w.archived_msp.pk},
        data=lambda w: {"version": refreshed(w.archived_msp).version},
    ),
    "vendors:contact_create": Row(
        get=creators(200), post=creators(302), kwargs=lambda w: {"pk": w.msp.pk}, data=contact_data
    ),
    "vendors:contact_edit": Row(
        get=creators(200),
        post=creators(302),
        kwargs=lambda w: {"pk": w.msp.pk, "contact_pk": w.contact.pk},
        data=contact_edit_data,
    ),
    "vendors:reference_create": Row(
        get=creators(200), post=creators(302), kwargs=lambda w: {"pk": w.msp.pk}, data=reference_data
    ),
    "vendors:reference_edit": Row(
        get=creators(200),
        post=creators(302),
        kwargs=lambda w: {"pk": w.msp.pk, "reference_pk": w.reference.pk},
        data=reference_edit_data,
    ),
    "vendors:reference_archive": Row(
        post=creators(302),
        kwargs=lambda w: {"pk": w.msp.pk, "reference_pk": w.reference.pk},
        data=lambda w: {"version": refreshed(w.reference).version},
    ),
    # Lists, set-up and needs assessments
    "scoring:list": Row(get=everyone(200)),
    "scoring:assessments": Row(get=everyone(200)),
    "scoring:assessment_create": Row(get=creators(200), post=creators(302), data=assessment_data),
    "scoring:assessment": Row(
        # The author's own; every one for executives, auditors and admins.
        get=_roles(404, owner=200, executive=200, auditor=200, admin=200),
        kwargs=lambda w: {"pk": w.assessment.pk},
    ),
    "scoring:create": Row(get=creators(200), post=creators(302), data=lambda w: evaluation_form_data()),
    "scoring:import": Row(get=creators(200), post=creators(302), data=import_data),
    # One evaluation (in scoring)
    "scoring:dashboard": Row(get=viewers(200), kwargs=ev),
    "scoring:edit": Row(
        get=managers(200),
        post=managers(302),
        kwargs=ev,
        data=lambda w: evaluation_form_data(refreshed(w.evaluation), title="Renamed evaluation"),
    ),
    "scoring:transition": Row(
        post=managers(302), kwargs=ev, data=lambda w: {"to": "decision", "reason": "Scoring is done."}
    ),
    "scoring:criteria": Row(get=managers(200), post=managers(302), kwargs=ev, data=criteria_data),
    # The team's own questions (scoring has started in this world: each change gives a reason).
    "scoring:question_create": Row(
        get=managers(200),
        post=managers(302),
        kwargs=ev,
        data=lambda w: {
            "text": "How do you restore after ransomware?",
            "category": "Security",
            "applies_to": "all",
            "weight": "5",
            "reason": "The board asked.",
        },  # fmt: skip
    ),
    "scoring:question_edit": Row(
        get=managers(200),
        post=managers(302),
        kwargs=lambda w: {"pk": w.evaluation.pk, "criterion_pk": w.question.pk},
        data=lambda w: {
            "text": "Reworded",
            "category": "Service",
            "applies_to": w.question.applies_to,
            "weight": "5",
            "reason": "Clearer wording.",
        },  # fmt: skip
    ),
    "scoring:question_remove": Row(
        post=managers(302), kwargs=lambda w: {"pk": w.evaluation.pk, "criterion_pk": w.question.pk}, data=reason
    ),
    "scoring:evaluators": Row(
        get=managers(200), post=managers(302), kwargs=ev, data=lambda w: {"evaluators": [w.spare_evaluator.pk]}
    ),
    "scoring:bid_create": Row(
        get=managers(200), post=managers(302), kwargs=ev, data=lambda w: bid_form_data(msp=w.new_msp)
    ),
    "scoring:bid": Row(get=viewers(200), kwargs=on_bid("acme")),
    "scoring:bid_edit": Row(
        get=managers(200),
        post=managers(302),
        kwargs=on_bid("acme"),
        data=lambda w: bid_form_data(refreshed(w.acme), monthly_fee=900, reason="Acme corrected its fee."),
    ),
    "scoring:flag_create": Row(
        get=managers(200),
        post=managers(302),
        kwargs=on_bid("acme"),
        data=lambda w: {"code": "pushy-sales", "note": "Three calls a day."},
    ),
    "scoring:flag_withdraw": Row(
        post=managers(302), kwargs=lambda w: {**on_bid("acme")(w), "flag_pk": w.flag.pk}, data=reason
    ),
    "scoring:waiver_create": Row(
        get=managers(200),
        post=managers(302),
        kwargs=on_bid("beacon"),
        data=lambda w: {"code": "no-references", "reason": "References checked by phone."},
    ),
    "scoring:waiver_revoke": Row(
        post=managers(302), kwargs=lambda w: {**on_bid("beacon")(w), "waiver_pk": w.waiver.pk}, data=reason
    ),
    "scoring:document_upload": Row(get=managers(200), post=managers(302), kwargs=on_bid("acme"), data=document_data),
    "scoring:document": Row(get=viewers(200), kwargs=lambda w: {**on_bid("acme")(w), "document_pk": w.document.pk}),
    "scoring:document_withdraw": Row(
        post=managers(302), kwargs=lambda w: {**on_bid("acme")(w), "document_pk": w.document.pk}, data=reason
    ),
    "scoring:reference_check": Row(
        get=managers(200),
        post=managers(302),
        kwargs=on_bid("acme"),
        data=lambda w: {
            "reference": w.reference.pk,
            "checked_on": timezone.localdate().isoformat(),
            "outcome": "positive",
            "notes": "Happy for three years.",
        },
    ),
    "scoring:scorecard": Row(get=scorers(200), post=scorers(200), kwargs=ev, data=lambda w: {"submit": "1"}),
    "scoring:conflict_declare": Row(post=scorers(302), kwargs=ev, data=lambda w: {"msp": w.acme.msp_id}),
    "scoring:declaration": Row(
        get=scorers(200), post=scorers(302), kwargs=ev, data=lambda w: {"agree": "on", "signed_name": "Evan"}
    ),
    "scoring:scorecard_reopen": Row(
        post=managers(302), kwargs=lambda w: {"pk": w.evaluation.pk, "assignment_pk": w.assignment.pk}, data=reason
    ),
    "scoring:ranking_json": Row(get=viewers(200), kwargs=ev),
    "scoring:ranking_csv": Row(get=viewers(200), kwargs=ev),
    "scoring:ranking_xlsx": Row(get=viewers(200), kwargs=ev),
    "scoring:package_json": Row(get=record_readers(200), kwargs=ev),
    "scoring:compare": Row(get=viewers(200), kwargs=ev, query=compare_query),
    "scoring:compare_xlsx": Row(get=viewers(200), kwargs=ev, query=compare_query),
    "scoring:sensitivity": Row(get=viewers(200), kwargs=ev),
    "scoring:board_pack": Row(get=viewers(200), kwargs=ev),
    "scoring:consensus": Row(get=viewers(200), kwargs=ev),
    # Candidates: read by whoever sees results; invited and updated by the owner.
    "scoring:candidates": Row(
        get=viewers(200),
        post=managers(302),
        kwargs=ev,
        data=lambda w: {"msps": [w.spare_msp.pk]},
    ),
    # The bid room from the buyer's side (this evaluation is scoring: an invitation or an opening is refused
    # with a message, and nothing is written).
    "scoring:bid_room_invite": Row(
        post=managers(302),
        kwargs=lambda w: {"pk": w.evaluation.pk, "candidate_pk": w.candidate.pk},
        data=lambda w: {f"bid-room-{w.candidate.pk}-contacts": [w.contact.pk]},
    ),
    "scoring:bid_room_resend": Row(
        post=managers(302), kwargs=lambda w: {"pk": w.evaluation.pk, "invitation_pk": w.evaluation_invitation.pk}
    ),
    "scoring:bids_open": Row(post=managers(302), kwargs=ev),
    "scoring:clarifications": Row(get=record_readers(200), kwargs=ev),
    # Addenda: read by the record's readers; issued by the owner while the bid room is in use (not here: the
    # page is drawn again, and nothing is written).
    "scoring:addenda": Row(
        get=record_readers(200),
        post=managers(200),
        kwargs=ev,
        data=lambda w: {"what": "A site visit on 3 May.", "reason": "Asked by two bidders."},
    ),
    "scoring:clarification_answer": Row(
        post=managers(302),
        kwargs=lambda w: {"pk": w.evaluation.pk, "clarification_pk": w.clarification.pk},
        data=lambda w: {f"c{w.clarification.pk}-answer": "Yes.", f"c{w.clarification.pk}-visibility": "published"},
    ),
    "scoring:candidate_update": Row(
        post=managers(302),
        kwargs=lambda w: {"pk": w.evaluation.pk, "candidate_pk": w.candidate.pk},
        data=lambda w: {
            f"candidate-{w.candidate.pk}-status": "invited",
            f"candidate-{w.candidate.pk}-note": "Checked.",
            f"candidate-{w.candidate.pk}-version": refreshed(w.candidate).version,
        },
    ),
    "scoring:history": Row(get=record_readers(200), kwargs=ev),
    "scoring:history_csv": Row(get=record_readers(200), kwargs=ev),
    "scoring:ranking_as_of": Row(
        get=record_readers(200), kwargs=ev, query=lambda w: {"when": timezone.now().strftime("%Y-%m-%dT%H:%M")}
    ),
    "scoring:evidence": Row(get=record_readers(200), kwargs=ev),
    # The award: proposed at the decision stage, decided, letters and unlock once awarded
    "scoring:award": Row(get=record_readers(200), kwargs=lambda w: {"pk": w.awarded.pk}),
    "scoring:award_propose": Row(
        post=managers(302),
        kwargs=lambda w: {"pk": w.decision.pk},
        data=lambda w: {"bid": w.decision_leader.pk, "rationale": "Ranked first, best SLA."},
    ),
    "scoring:award_decide": Row(
        post=deciders(302),
        kwargs=lambda w: {"pk": w.pending.pk, "award_pk": w.pending_award.pk},
        data=lambda w: {"decision": "approve", "comment": "Agreed."},
    ),
    "scoring:award_letter": Row(get=record_readers(200), kwargs=lambda w: {"pk": w.awarded.pk}),
    "scoring:debrief_letter": Row(get=record_readers(200), kwargs=lambda w: {"pk": w.awarded.pk, "bid_pk": w.loser.pk}),
    "scoring:unlock": Row(post=unlockers(302), kwargs=lambda w: {"pk": w.awarded.pk}, data=reason),
    # Notifications: one's own list and preferences (another person's notification is 404),
    # an evaluation's reminder days (its managers), the sending log (admins and auditors).
    "notifications:inbox": Row(get=everyone(200)),
    "notifications:open": Row(post=_roles(404, owner=302), kwargs=lambda w: {"pk": w.notification.pk}),
    "notifications:mark_all_read": Row(post=everyone(302)),
    "notifications:preferences": Row(get=everyone(200), post=everyone(302), data=lambda w: {"mode": "digest"}),
    "notifications:log": Row(get=_roles(403, auditor=200, admin=200)),
    "notifications:schedule": Row(
        get=managers(200),
        post=managers(302),
        kwargs=ev,
        data=lambda w: {"scoring_days": 5, "bids_days": 7, "evidence_days": 30, "contract_notice_days": 90},
    ),
}

# The user's own account: an auditor may change these (their password, their session, their inbox).
OWN_ACCOUNT = {
    "login",
    "logout",
    "password_change",
    "notifications:open",
    "notifications:mark_all_read",
    "notifications:preferences",
}

# Requests the app answers wrongly today: (URL name, method, role) -> what happens instead.
APP_BUGS: dict[tuple[str, str, str], str] = {}


# --- Helpers -----------------------------------------------------------------------------------


def url_names(patterns: list[Any] | None = None, namespaces: tuple[str, ...] = ()) -> list[str]:
    """The name of every URL pattern of the app (namespace:name), the Django admin left out."""
    found: list[str] = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin" or entry.namespace == "admin":
                continue
            found += url_names(entry.url_patterns, (*namespaces, entry.namespace) if entry.namespace else namespaces)
        elif isinstance(entry, URLPattern):
            # A pattern without a name can't be described: it fails the coverage test under its route.
            found.append(":".join((*namespaces, entry.name)) if entry.name else f"<unnamed {entry.pattern}>")
    return found


def address(name: str, w: SimpleNamespace) -> tuple[str, dict[str, Any]]:
    row = MATRIX[name]
    return reverse(name, kwargs=row.kwargs(w) or None), row.query(w)


DATA_APPS = ("scoring", "vendors", "notifications")


def _tables() -> list[tuple[str, str, str]]:
    """(label, table, primary key column) of every model of the project's data apps (history tables included)."""
    return [
        (model._meta.label, model._meta.db_table, model._meta.pk.column)
        for label in DATA_APPS
        for model in apps.get_app_config(label).get_models()
    ]


# The two checks below read the tables in plain SQL: the same rows as the models' managers give,
# without building a query through the ORM for each of some fifty models around each of about a
# thousand requests (that was half of this module's time).


def data_state() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every model of the project's data apps (history tables included)."""
    quote = connection.ops.quote_name
    state = {}
    with connection.cursor() as cursor:
        for label, table, pk in _tables():
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {quote(pk)}")  # noqa: S608 (table names)
            state[label] = cursor.fetchall()
    return state


def row_counts() -> dict[str, int]:
    """How many rows each model of the data apps has: the cheaper check for reads."""
    quote = connection.ops.quote_name
    tables = _tables()
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for _, table, _ in tables)  # noqa: S608 (table names)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
    return dict(zip([label for label, _, _ in tables], row, strict=True))


def client_of(w: SimpleNamespace, role: str) -> Client:
    return Client() if role == "anonymous" else client_for(w.users[role])


def request(client: Client, method: str, url: str, query: dict[str, Any], data: dict[str, Any]) -> Any:
    if method == "GET":
        return client.get(url, query)
    target = f"{url}?{_encode(query)}" if query else url
    return client.post(target, data)


def _encode(query: dict[str, Any]) -> str:
    return urlencode(query, doseq=True)


def _cases() -> list[Any]:
    cases = []
    for name, row in MATRIX.items():
        for method, expected in row.methods.items():
            for role in ROLES:
                marks = []
                if (name, method, role) in APP_BUGS:
                    marks = [pytest.mark.xfail(reason=f"APP BUG: {APP_BUGS[name, method, role]}", strict=True)]
                cases.append(
                    pytest.param(name, method, role, expected[role], id=f"{name}-{method}-{role}", marks=marks)
                )
    return cases


# --- The tests ---------------------------------------------------------------------------------


def test_the_matrix_describes_every_url_pattern():
    names = url_names()

    assert len(names) == len(set(names)), "two patterns share a name"
    assert sorted(set(names) - set(MATRIX)) == [], "URL patterns the permission matrix does not describe"
    assert sorted(set(MATRIX) - set(names)) == [], "matrix rows for URL patterns that no longer exist"


def test_every_row_says_what_every_role_gets():
    for name, row in MATRIX.items():
        assert row.methods, name
        for method, expected in row.methods.items():
            assert set(expected) == set(ROLES), (name, method)


@pytest.mark.parametrize(("name", "method", "role", "expected"), _cases())
def test_each_role_gets_what_the_rules_say(world, name, method, role, expected):
    row = MATRIX[name]
    url, query = address(name, world)
    client = client_of(world, role)
    refused = expected in (LOGIN, 403, 404)
    # A read never writes (row counts; every save also adds a history row); a refused or an auditor's
    # request leaves every row as it was.
    state = row_counts if method == "GET" else data_state
    must_not_write = method == "GET" or refused or (role == "auditor" and name not in OWN_ACCOUNT)
    before = state() if must_not_write else None

    response = request(client, method, url, query, row.data(world))

    if expected == LOGIN:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith("/accounts/login/?next="), response["Location"]
    else:
        assert response.status_code == expected
    if role != "anonymous" and response.status_code == 200:
        # Nothing shown to a signed-in person (page, download, document) is kept by a proxy or a disk cache.
        assert {"private", "no-store"} <= cache_directives(response), response.get("Cache-Control")
    body = b"".join(response) if response.streaming else response.content
    shown = [secret for secret in (TITLES if expected == 404 else HIDDEN[role]) if secret.encode() in body]
    assert shown == [], "out of scope data in the response"
    if must_not_write:
        assert state() == before, "a read, a refused request or an auditor's request wrote data"


def cache_directives(response: Any) -> set[str]:
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",") if part.strip()}


def _evaluation_scoped() -> list[str]:
    """Patterns whose address names an evaluation by its id."""
    return [
        *(f"scoring:{p.name}" for p in scoring_urls.urlpatterns if str(p.pattern).startswith("<int:pk>/")),
        *(
            f"notifications:{p.name}"
            for p in notifications_urls.urlpatterns
            if "evaluations/<int:pk>/" in str(p.pattern)
        ),
    ]


def _guessed_cases() -> list[Any]:
    """Evaluation addresses (and a needs assessment) with a missing id and with another buyer's.

    Registry and notification addresses with a missing id only: the registry is shared, and
    another person's notification is already in the matrix (404 to everyone but its owner).
    """
    scoped = [*_evaluation_scoped(), "scoring:assessment"]
    others = [
        name
        for name in MATRIX
        if name.startswith(("vendors:", "notifications:")) and name not in scoped and "<int:pk>" in _route(name)
    ]
    return [
        pytest.param(name, method, guess, id=f"{name}-{method}-{guess}")
        for name in [*scoped, *others]
        for method in MATRIX[name].methods
        for guess in (("missing", "elsewhere") if name in scoped else ("missing",))
    ]


def _route(name: str) -> str:
    namespace, _, short = name.rpartition(":")
    module = {"scoring": scoring_urls, "vendors": vendors_urls, "notifications": notifications_urls}[namespace]
    return next(str(p.pattern) for p in module.urlpatterns if p.name == short)


class Missing:
    """Every object the address names has an id that does not exist."""

    def __getattr__(self, name: str) -> Any:
        return SimpleNamespace(pk=987654321)


@pytest.mark.parametrize(("name", "method", "guess"), _guessed_cases())
def test_a_guessed_id_is_404_never_data(world, name, method, guess):
    """The owner of one evaluation guesses ids: ones that do not exist, then another buyer's evaluation."""
    target = world.elsewhere if guess == "elsewhere" else Missing()
    row = MATRIX[name]
    url, query = reverse(name, kwargs=row.kwargs(target)), row.query(world)
    before = data_state()

    response = request(client_of(world, "owner"), method, url, query, row.data(world))

    assert response.status_code == 404
    assert ELSEWHERE_TITLE.encode() not in response.content
    assert data_state() == before


def _foreign_cases() -> list[Any]:
    """Each object id after the evaluation's, swapped for one of another evaluation, for whoever may act here."""
    cases = []
    for name in _evaluation_scoped():
        row = MATRIX[name]
        for key in (k for k in row.kwargs(Missing()) if k != "pk"):
            for method, expected in row.methods.items():
                for role in ("owner", "admin"):
                    if expected[role] not in (403, 404):
                        cases.append(pytest.param(name, key, method, role, id=f"{name}-{key}-{method}-{role}"))
    return cases


@pytest.mark.parametrize(("name", "key", "method", "role"), _foreign_cases())
def test_an_object_of_another_evaluation_is_404_under_this_one(world, name, key, method, role):
    """The evaluation is visible and the role may act on it: only the object scoping stops the request."""
    row = MATRIX[name]
    kwargs = {**row.kwargs(world), key: row.kwargs(world.elsewhere)[key]}
    before = data_state()

    response = request(client_of(world, role), method, reverse(name, kwargs=kwargs), row.query(world), row.data(world))

    assert response.status_code == 404
    assert ELSEWHERE_TITLE.encode() not in response.content
    assert data_state() == before


def _locked_cases() -> list[Any]:
    return [
        pytest.param(name, role, id=f"{name}-POST-{role}")
        for name in _evaluation_scoped()
        if "POST" in MATRIX[name].methods
        for role in ("auditor", "executive")
        if MATRIX[name].methods["POST"][role] == 403
    ]


@pytest.mark.parametrize(("name", "role"), _locked_cases())
def test_a_refused_write_to_an_awarded_evaluation_is_403_and_leaves_no_trace(world, name, role):
    """On a locked (awarded) evaluation a role that may not act is refused first: not even a refusal is recorded."""
    row = MATRIX[name]
    url = reverse(name, kwargs=row.kwargs(world.elsewhere))
    before = data_state()

    response = request(client_of(world, role), "POST", url, row.query(world.elsewhere), row.data(world.elsewhere))

    assert response.status_code == 403
    assert data_state() == before


# An assigned evaluator who has not submitted is blind: the evaluation and their scorecard, nothing of the results.
BLIND: dict[str, int] = {
    "scoring:dashboard": 200,
    "scoring:bid": 200,
    "scoring:scorecard": 200,
    "scoring:declaration": 200,
    "scoring:document": 403,  # the evaluation's prices are sealed
    **dict.fromkeys(
        [
            "scoring:ranking_json",
            "scoring:ranking_csv",
            "scoring:ranking_xlsx",
            "scoring:compare",
            "scoring:compare_xlsx",
            "scoring:sensitivity",
            "scoring:board_pack",
            "scoring:consensus",
            "scoring:package_json",
            "scoring:history",
            "scoring:history_csv",
            "scoring:ranking_as_of",
            "scoring:evidence",
        ],
        403,
    ),
}


@pytest.mark.parametrize(("name", "expected"), BLIND.items(), ids=list(BLIND))
def test_an_evaluator_who_has_not_submitted_sees_no_results(world, name, expected):
    url, query = address(name, world)

    response = client_for(world.blind).get(url, query)

    assert response.status_code == expected


def test_the_write_check_sees_a_write(world):
    """The no-write assertion is not vacuous: the owner's edit shows in the snapshot."""
    row = MATRIX["scoring:edit"]
    before = data_state()

    response = client_for(world.users["owner"]).post(address("scoring:edit", world)[0], row.data(world))

    assert response.status_code == 302
    assert data_state() != before


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("scoring:create", lambda w: {"assessment": w.elsewhere.assessment.pk}),
        ("scoring:compare", lambda w: {"bid": [w.elsewhere.acme.pk, w.elsewhere.beacon.pk]}),
    ],
    ids=["assessment-prefill", "compare-bids"],
)
def test_a_guessed_id_in_the_query_string_shows_nothing_of_it(world, name, query):
    """Ids of another buyer's objects in ``?assessment=`` or ``?bid=`` are ignored, never shown."""
    url = address(name, world)[0]

    response = client_for(world.users["owner"]).get(url, query(world))

    assert response.status_code == 200
    assert ELSEWHERE_ASSESSMENT not in response.text
    assert ELSEWHERE_TITLE not in response.text
    if name == "scoring:compare":
        assert response.context["chosen"] == []
    else:
        assert response.context["form"].initial.get("organization_name") != ELSEWHERE_ASSESSMENT


# --- What the blind see: content, not only status codes ----------------------------------------
#
# One evaluation in scoring with sealed prices and three clean flat-fee bids over 12 months
# (the default weights: five questions at 15, price at 25). Bea submitted: Northwind 2, Southgate 5,
# Eastbay 3 on every question. Worked by hand:
#
#   TCO = fee × 12:  Northwind 1,337 → 16,044   Southgate 2,221 → 26,652   Eastbay 3,119 → 37,428
#   price %  = 16,044 ÷ TCO × 100:  100           60.198109                 42.866303
#   total = 0.75 × question % + 0.25 × price %:
#           Northwind 0.75 × 40 + 25 = 55.00;  Southgate 75 + 15.049527 = 90.05;  Eastbay 45 + 10.716576 = 55.72
#
# Cal, the owner and an admin are assigned and have not submitted: all three are blind.

TOTALS = ("90.05", "55.72", "55.00", "90.0495", "55.7165")
PRICES = ("16,044", "26,652", "37,428", "16044", "26652", "37428", "1,337", "2,221", "3,119", "1337.0", "2221.0")
SEALED_TITLE = "Sealed content evaluation"


@pytest.fixture(scope="module")
def sealed(django_db_setup, django_db_blocker) -> Iterator[SimpleNamespace]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            owner = make_user("olivia", PROCUREMENT)
            admin = make_user("adam", superuser=True)
            bea, cal = make_user("bea", EVALUATOR), make_user("cal", EVALUATOR)
            evaluation = make_evaluation(owner, title=SEALED_TITLE, sealed_prices=True)
            bids = {
                name: make_bid(evaluation, name, monthly_fee=fee)
                for name, fee in (("Northwind IT", 1337), ("Southgate IT", 2221), ("Eastbay IT", 3119))
            }
            bea_card, _cal_card, owner_card, admin_card = assign(evaluation, bea, cal, owner, admin)
            evaluation = start_scoring(evaluation)
            score(bea_card, {"Northwind IT": 2, "Southgate IT": 5, "Eastbay IT": 3})
            # The owner and the admin saved drafts: drafts never show, and never unblind.
            score(owner_card, {"Northwind IT": 5}, submit=False)
            score(admin_card, {"Eastbay IT": 1}, submit=False)
            document = _document(bids["Southgate IT"], owner)
            yield SimpleNamespace(
                document=document,
                evaluation=refreshed(evaluation),
                bids=bids,
                owner=owner,
                admin=admin,
                bea=bea,
                cal=cal,
                executive=make_user("ed", "Executive"),
                auditor=make_user("audrey", "Auditor"),
            )
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _evaluation_addresses(s: SimpleNamespace) -> list[str]:
    """Every page and download of the evaluation a person may ask for by GET, and the portfolio."""
    pk = s.evaluation.pk
    bid_ids = [bid.pk for bid in s.bids.values()]
    compare = "?" + urlencode([("bid", pk_) for pk_ in bid_ids])
    return [
        "/",
        "/evaluations/",
        "/notifications/",
        reverse("scoring:dashboard", args=[pk]),
        *[reverse("scoring:bid", args=[pk, bid_pk]) for bid_pk in bid_ids],
        reverse("scoring:scorecard", args=[pk]),
        reverse("scoring:declaration", args=[pk]),
        reverse("scoring:candidates", args=[pk]),
        reverse("scoring:clarifications", args=[pk]),
        reverse("scoring:addenda", args=[pk]),
        reverse("scoring:compare", args=[pk]) + compare,
        reverse("scoring:compare_xlsx", args=[pk]) + compare,
        reverse("scoring:consensus", args=[pk]),
        reverse("scoring:sensitivity", args=[pk]),
        reverse("scoring:sensitivity", args=[pk]) + "?w_price=90",
        reverse("scoring:board_pack", args=[pk]),
        reverse("scoring:ranking_json", args=[pk]),
        reverse("scoring:ranking_csv", args=[pk]),
        reverse("scoring:ranking_xlsx", args=[pk]),
        reverse("scoring:package_json", args=[pk]),
        reverse("scoring:history", args=[pk]),
        reverse("scoring:history_csv", args=[pk]),
        reverse("scoring:ranking_as_of", args=[pk]) + "?when=" + timezone.now().strftime("%Y-%m-%dT%H:%M"),
        reverse("scoring:evidence", args=[pk]),
        reverse("scoring:award", args=[pk]),
        reverse("scoring:edit", args=[pk]),
        reverse("scoring:criteria", args=[pk]),
        reverse("scoring:question_create", args=[pk]),
        reverse("scoring:question_edit", args=[pk, questions(s.evaluation)[0].pk]),
        reverse("scoring:evaluators", args=[pk]),
        reverse("scoring:bid_edit", args=[pk, bid_ids[0]]),
        reverse("scoring:bid_create", args=[pk]),
        reverse("scoring:flag_create", args=[pk, bid_ids[0]]),
        reverse("scoring:waiver_create", args=[pk, bid_ids[0]]),
        reverse("scoring:document_upload", args=[pk, bid_ids[1]]),
        reverse("scoring:document", args=[pk, bid_ids[1], s.document.pk]),
        reverse("scoring:reference_check", args=[pk, bid_ids[1]]),
        reverse("scoring:award_letter", args=[pk]),
        reverse("scoring:debrief_letter", args=[pk, bid_ids[0]]),
        reverse("notifications:schedule", args=[pk]),
    ]


def test_the_content_checks_ask_every_page_of_an_evaluation(sealed):
    """The addresses below are every evaluation page the matrix answers to GET: none is left out."""
    asked = {
        f"{match.namespace}:{match.url_name}"
        for match in (resolve(address.split("?")[0]) for address in _evaluation_addresses(sealed))
        if match.namespace
    }
    pages = {name for name in _evaluation_scoped() if "GET" in MATRIX[name].methods}

    assert pages <= asked, sorted(pages - asked)


def _body(response: Any) -> str:
    """The response as text; a workbook or an archive unpacked, so numbers inside are seen."""
    import io
    import zipfile

    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return content.decode("utf-8", "replace")


def _shown(client: Client, address: str) -> tuple[int, str]:
    response = client.get(address)
    assert response.status_code in (200, 302, 403, 404), (address, response.status_code)
    return response.status_code, _body(response)


@pytest.mark.parametrize("who", ["cal", "owner", "admin"])
def test_it_shows_a_blind_scorer_no_total_or_rank_anywhere(sealed, who):
    """Totals (and so ranks) of the bids appear on no page or download for anyone assigned who has not submitted."""
    client = client_for(getattr(sealed, who))
    for address in _evaluation_addresses(sealed):
        status, body = _shown(client, address)
        leaked = [total for total in TOTALS if total in body]
        assert not leaked, f"{who} reads {leaked} at {address} ({status})"
        assert '"rank": 1' not in body and "leads with" not in body, (who, address)


def test_it_shows_a_blind_evaluator_no_price_while_sealed(sealed):
    client = client_for(sealed.cal)
    for address in _evaluation_addresses(sealed):
        status, body = _shown(client, address)
        leaked = [price for price in PRICES if price in body]
        assert not leaked, f"cal reads {leaked} at {address} ({status})"


def test_it_shows_a_blind_owner_the_prices_they_recorded_and_says_so(sealed):
    client = client_for(sealed.owner)
    bid = sealed.bids["Southgate IT"]

    bid_page = client.get(reverse("scoring:bid", args=[sealed.evaluation.pk, bid.pk]))
    dashboard = client.get(reverse("scoring:dashboard", args=[sealed.evaluation.pk]))

    assert "$2,221" in bid_page.text and "$26,652" in bid_page.text
    assert "the record shows that you scored as the owner" in dashboard.text
    # The owner still runs the evaluation while blind: the bids, the set-up and the status form.
    assert "Record a bid" in dashboard.text and "Change status" in dashboard.text
    assert "Eastbay IT" in dashboard.text and 'data-testid="ranking"' not in dashboard.text


@pytest.mark.parametrize("who", ["bea", "executive", "auditor"])
def test_it_shows_those_allowed_the_totals_and_prices(sealed, who):
    """The same addresses carry the numbers for a submitted evaluator, an executive and an auditor."""
    client = client_for(getattr(sealed, who))
    dashboard = client.get(reverse("scoring:dashboard", args=[sealed.evaluation.pk])).text
    document = client.get(reverse("scoring:ranking_json", args=[sealed.evaluation.pk])).json()
    portfolio = client.get("/").text

    assert all(total in dashboard for total in ("90.05", "55.72", "55.00"))
    assert "$26,652" in dashboard and "Southgate IT</strong> leads with" in dashboard
    assert [(row["rank"], row["vendor"], row["total"], row["tco"]) for row in document["ranking"]] == [
        (1, "Southgate IT", 90.05, 26652.0),
        (2, "Eastbay IT", 55.72, 37428.0),
        (3, "Northwind IT", 55.0, 16044.0),
    ]
    assert "Southgate IT" in portfolio and "90.05" in portfolio


def test_it_tells_a_blind_scorer_on_the_portfolio_that_results_open_when_they_submit(sealed):
    for who in ("cal", "owner", "admin"):
        portfolio = client_for(getattr(sealed, who)).get("/evaluations/", {"sort": "-scorecards"}).text
        assert "Results open when you submit your scorecard" in portfolio, who
        assert "Southgate IT" not in portfolio and "Northwind IT" not in portfolio, who


def test_it_opens_the_results_to_a_blind_owner_once_they_submit(sealed):
    owner_card = sealed.evaluation.assignments.get(evaluator=sealed.owner)
    score(owner_card, {"Northwind IT": 5, "Southgate IT": 5, "Eastbay IT": 5})

    document = client_for(sealed.owner).get(reverse("scoring:ranking_json", args=[sealed.evaluation.pk]))

    assert document.status_code == 200
    # Two submitted scorecards now: Southgate (5, 5) 100 %, Eastbay (3, 5) 80 %, Northwind (2, 5) 70 %.
    # Southgate 75 + 15.049527 = 90.05; Eastbay 60 + 10.716576 = 70.72; Northwind 52.5 + 25 = 77.50.
    assert [(row["vendor"], row["total"]) for row in document.json()["ranking"]] == [
        ("Southgate IT", 90.05),
        ("Northwind IT", 77.5),
        ("Eastbay IT", 70.72),
    ]


def test_it_calls_no_bid_the_leader_before_any_scorecard_is_submitted(db):
    owner, executive = make_user("pat", PROCUREMENT), make_user("exa", "Executive")
    evaluation = make_evaluation(owner, title="Collecting bids, no scores")
    make_bid(evaluation, "Apex IT", monthly_fee=900)
    make_bid(evaluation, "Bramble IT", monthly_fee=1200)
    evaluation = move_to(evaluation, "collecting_bids")
    client = client_for(executive)

    dashboard = client.get(reverse("scoring:dashboard", args=[evaluation.pk])).text
    board_pack = client.get(reverse("scoring:board_pack", args=[evaluation.pk])).text
    sensitivity = client.get(reverse("scoring:sensitivity", args=[evaluation.pk])).text
    portfolio = client.get("/").text

    # Apex: 900 × 12 = $10,800, Bramble $14,400; price is the only criterion that counts yet.
    assert "leads with" not in dashboard and "How robust" not in dashboard
    assert "No scorecard is submitted yet, so there is no leader" in dashboard
    assert "Standing by price" in dashboard and "<strong>Apex IT</strong> ($10,800)" in dashboard
    assert "No recommendation yet" in board_pack and "Award to" not in board_pack
    assert "there is no leader and no lead to test" in sensitivity and "leads with" not in sensitivity
    assert "No scores yet · lowest price:</span> Apex IT" in portfolio


def test_it_hides_the_scores_and_awards_from_a_blind_admin_in_the_admin_too(sealed):
    """The admin's lists and record histories are doors too: an admin assigned to score sees none of it."""
    blind, other_admin = client_for(sealed.admin), client_for(make_user("root2", superuser=True))
    bea_score = sealed.evaluation.assignments.get(evaluator=sealed.bea).scores.first()

    # Bea's 15 submitted scores (5 questions × 3 bids), the owner's and the admin's 5 drafts each.
    def listed(client: Client) -> int:
        changelist = client.get("/admin/scoring/score/").context["cl"]
        return changelist.queryset.filter(bid__evaluation=sealed.evaluation).count()

    assert listed(other_admin) == 25
    assert listed(blind) == 0
    assert blind.get(f"/admin/scoring/score/{bea_score.pk}/change/").status_code in (302, 404)
    assert blind.get(f"/admin/scoring/score/{bea_score.pk}/history/").status_code == 404
    assert other_admin.get(f"/admin/scoring/score/{bea_score.pk}/history/").status_code == 200


def test_every_page_of_an_evaluation_goes_through_the_one_door():
    """Every address naming an evaluation is served by a view wrapped in ``views.evaluation_view``: the
    evaluation is fetched in the person's scope and the policy checked before the view's own code runs."""
    unguarded = []
    for name in _evaluation_scoped():
        view = resolve(reverse(name, kwargs=dict.fromkeys(MATRIX[name].kwargs(Missing()), 1))).func
        if not hasattr(view, "evaluation_view"):
            unguarded.append(name)

    assert unguarded == []
    assert len(_evaluation_scoped()) >= 40
