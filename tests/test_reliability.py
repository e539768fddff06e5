"""Reliability (issue 8): concurrent edits are caught, concurrent scorecards lose nothing, and a
database failure part-way through a write leaves nothing half-written.

1. Every edit form: two people open the page, the first saves, the second saves a different
   change from the form they opened: the second is refused with the conflict message, and the
   database holds the first change. The forms are read off the rendered HTML and posted back the
   way a browser would, so a form that does not render its version is caught too.
2. Scorecards: two evaluators saving at once, and one evaluator saving twice, lose nothing and
   leave no duplicate score. The truly simultaneous versions need threads and row locks:
   PostgreSQL only.
3. The database refusing a statement in the middle of an import or a submission: every table
   keeps its row count (and the rows they had), and the request answers with an error page,
   never with a success.

Failures are injected with ``connection.execute_wrapper``: the chosen statement raises
``DatabaseError`` before it reaches the database, as a dropped connection or a full disk would.
"""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction
from django.test import Client

from accounts.roles import EVALUATOR, EXECUTIVE, PROCUREMENT
from notifications.models import Preference, Schedule
from scoring import services
from scoring.models import (
    Assignment,
    Award,
    AwardDecision,
    Bid,
    BidDocument,
    Candidate,
    Criterion,
    CriterionKind,
    Evaluation,
    Organization,
    QuestionTemplate,
    RedFlag,
    RequirementTemplate,
    Score,
    Waiver,
)
from scoring.package import loading, loads, parse_package
from tests.conftest import client_for, make_user
from tests.scoring.factories import (
    assign,
    contract_example,
    evaluation_form_data,
    make_bid,
    make_evaluation,
    make_msp,
    move_to,
    refreshed,
    score,
    scoring_state,
    start_scoring,
)
from vendors import services as vendor_services
from vendors.models import MSP, ClientReference, Contact, Specialty

POSTGRESQL_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs real concurrency: threads and row locks (PostgreSQL)"
)
CONFLICT_TEXT = "changed by someone else"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Reading a form off the page, the way a browser submits it ----------------------------------


@dataclass
class PageForm:
    action: str
    method: str
    inputs: list[dict[str, str | None]] = field(default_factory=list)
    selects: list[dict[str, Any]] = field(default_factory=list)
    textareas: list[dict[str, Any]] = field(default_factory=list)
    buttons: list[dict[str, str | None]] = field(default_factory=list)

    def names(self) -> set[str]:
        controls = [*self.inputs, *self.selects, *self.textareas, *self.buttons]
        return {c["name"] for c in controls if c.get("name")}

    def submitted(self, press: str | None = None) -> dict[str, list[str]]:
        """What the browser sends: enabled controls, ticked boxes, selected options, and the button pressed."""
        data: dict[str, list[str]] = defaultdict(list)
        for control in self.inputs:
            name, kind = control.get("name"), (control.get("type") or "text").lower()
            if not name or "disabled" in control or kind in ("submit", "button", "image", "reset", "file"):
                continue
            if kind in ("checkbox", "radio"):
                if "checked" in control:
                    data[name].append(control["value"] if control.get("value") is not None else "on")
                continue
            data[name].append(control.get("value") or "")
        for select in self.selects:
            if not select["name"] or select["disabled"]:
                continue
            chosen = [o for o in select["options"] if o["selected"]]
            if not chosen and not select["multiple"] and select["options"]:
                chosen = select["options"][:1]
            data[select["name"]].extend(o["value"] for o in chosen)
        for area in self.textareas:
            if area["name"] and not area["disabled"]:
                text = area["text"]
                data[area["name"]].append(text[1:] if text.startswith("\n") else text)
        if press is not None:
            button = next((b for b in [*self.buttons, *self.inputs] if b.get("name") == press), None)
            assert button is not None, f"no button named {press!r} in the form"
            data[press].append(button.get("value") or "")
        return dict(data)

    def fill(self, changes: dict[str, Any], press: str | None = None) -> dict[str, list[str]]:
        """The submitted data with ``changes``: a string or a list sets a control, ``None`` unticks it."""
        data = self.submitted(press)
        for name, value in changes.items():
            assert name in self.names(), f"the form has no control named {name!r}: {sorted(self.names())}"
            if value is None:
                data.pop(name, None)
            else:
                data[name] = [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
        return data


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._select: dict[str, Any] | None = None
        self._option: dict[str, Any] | None = None
        self._textarea: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._form = PageForm(action=a.get("action") or "", method=(a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            self._form.inputs.append(a)
        elif tag == "button":
            self._form.buttons.append(a)
        elif tag == "select":
            self._select = {"name": a.get("name"), "multiple": "multiple" in a, "disabled": "disabled" in a}
            self._select["options"] = []
            self._form.selects.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
            self._select["options"].append(self._option)
        elif tag == "textarea":
            self._textarea = {"name": a.get("name"), "disabled": "disabled" in a, "text": ""}
            self._form.textareas.append(self._textarea)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "option" and self._option is not None:
            if self._option["value"] is None:
                self._option["value"] = self._option["text"].strip()
            self._option = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea["text"] += data
        elif self._option is not None:
            self._option["text"] += data


def page_form(response: Any, *, having: str | None = None, action: str | None = None) -> PageForm:
    """The POST form of the page that has a control named ``having`` (or posts to ``action``)."""
    assert response.status_code == 200, f"the page answered {response.status_code}"
    parser = _FormParser()
    parser.feed(response.content.decode())
    found = [
        f
        for f in parser.forms
        if f.method == "post"
        and (having is None or having in f.names())
        and (action is None or f.action.split("?")[0].endswith(action))
    ]
    assert len(found) == 1, f"{len(found)} forms match having={having!r} action={action!r}"
    return found[0]


def form_errors(response: Any) -> str:
    """The errors the page shows, to explain an unexpected answer."""
    if response.status_code != 200 or not response.context:
        return f"status {response.status_code}"
    for key in ("form", "adminform"):
        if key in response.context:
            form = response.context[key]
            form = getattr(form, "form", form)
            return f"status 200, errors: {form.errors.as_data()}"
    return "status 200"


def row(model: type, pk: int) -> dict[str, Any]:
    return model._base_manager.filter(pk=pk).values().get()


# --- The people and records every test starts from ---------------------------------------------


@pytest.fixture
def w(db, procurement, admin_user, evaluator, executive, msp) -> SimpleNamespace:
    """Priya's evaluation (draft) with Acme's bid; two buyers, two admins, evaluators and executives."""
    evaluation = make_evaluation(procurement)
    bid = make_bid(evaluation, msp.name)
    return SimpleNamespace(
        priya=procurement,
        bruno=make_user("bruno", PROCUREMENT),
        ada=admin_user,
        root=make_user("root", superuser=True),
        evan=evaluator,
        sam=make_user("sam", EVALUATOR),
        marcus=executive,
        erin=make_user("erin", EXECUTIVE),
        msp=msp,
        evaluation=evaluation,
        bid=bid,
    )


# --- 1. Every edit form refuses the second of two concurrent saves ------------------------------


@dataclass
class EditPage:
    """An edit page: where it is, which form on it, two different changes, and the record they change."""

    url: str
    first: dict[str, Any]
    second: dict[str, Any]
    state: Callable[[], Any]
    having: str | None = None
    action: str | None = None


def _msp_page(w: SimpleNamespace) -> EditPage:
    return EditPage(
        url=f"/vendors/{w.msp.pk}/edit/",
        having="headquarters",
        first={"headquarters": "Irvine, CA"},
        second={"service_area": "Orange County"},
        state=lambda: row(MSP, w.msp.pk),
    )


def _contact_page(w: SimpleNamespace) -> EditPage:
    contact = vendor_services.contact_create(msp=w.msp, name="Luis Moreno", email="luis@acme.example")
    return EditPage(
        url=f"/vendors/{w.msp.pk}/contacts/{contact.pk}/edit/",
        having="email",
        first={"email": "bruno@acme.example"},
        second={"title": "CTO"},
        state=lambda: row(Contact, contact.pk),
    )


def _reference_page(w: SimpleNamespace) -> EditPage:
    reference = vendor_services.reference_create(msp=w.msp, client="Orange Valley Credit Union", client_employees=210)
    return EditPage(
        url=f"/vendors/{w.msp.pk}/references/{reference.pk}/edit/",
        having="client",
        first={"client_employees": "300"},
        second={"industry": "Banking"},
        state=lambda: row(ClientReference, reference.pk),
    )


def _evaluation_page(w: SimpleNamespace) -> EditPage:
    return EditPage(
        url=f"/evaluations/{w.evaluation.pk}/edit/",
        having="title",
        first={"title": "Managed IT services 2028"},
        second={"term_months": "36"},
        state=lambda: row(Evaluation, w.evaluation.pk),
    )


def _bid_page(w: SimpleNamespace) -> EditPage:
    return EditPage(
        url=f"/evaluations/{w.evaluation.pk}/bids/{w.bid.pk}/edit/",
        having="monthly_fee",
        first={"monthly_fee": "1500"},
        second={"references_offered": "5"},
        state=lambda: row(Bid, w.bid.pk),
    )


def _criteria_page(w: SimpleNamespace) -> EditPage:
    price = Criterion.objects.get(evaluation=w.evaluation, key="price")
    question = Criterion.objects.filter(evaluation=w.evaluation, kind=CriterionKind.QUESTION).first()
    return EditPage(
        url=f"/evaluations/{w.evaluation.pk}/criteria/",
        having=f"weight_{price.pk}",
        first={f"weight_{price.pk}": "40"},
        second={f"weight_{question.pk}": "20"},
        state=lambda: list(
            Criterion.objects.filter(evaluation=w.evaluation).order_by("pk").values_list("key", "weight")
        ),
    )


def _candidate_page(w: SimpleNamespace) -> EditPage:
    candidate = Candidate.objects.get(evaluation=w.evaluation, msp=w.msp)
    prefix = f"candidate-{candidate.pk}"
    return EditPage(
        url=f"/evaluations/{w.evaluation.pk}/candidates/",
        action=f"/evaluations/{w.evaluation.pk}/candidates/{candidate.pk}/",
        first={f"{prefix}-status": "declined"},
        second={f"{prefix}-note": "Will bid again next year."},
        state=lambda: row(Candidate, candidate.pk),
    )


def _schedule_page(w: SimpleNamespace) -> EditPage:
    Schedule.objects.create(evaluation=w.evaluation)
    return EditPage(
        url=f"/notifications/evaluations/{w.evaluation.pk}/schedule/",
        having="scoring_days",
        first={"scoring_days": "5"},
        second={"bids_days": "10"},
        state=lambda: list(Schedule.objects.filter(evaluation=w.evaluation).values()),
    )


def _admin(model: type, pk: int, first: dict[str, Any], second: dict[str, Any]) -> EditPage:
    meta = model._meta
    return EditPage(
        url=f"/admin/{meta.app_label}/{meta.model_name}/{pk}/change/",
        having=next(iter(first)),
        first=first,
        second=second,
        state=lambda: row(model, pk),
    )


def _admin_organization(w: SimpleNamespace) -> EditPage:
    organization = Organization.objects.create(name="Example Dental Group", employees=10, devices=20)
    return _admin(Organization, organization.pk, {"employees": "50"}, {"industry": "Dental"})


def _admin_msp(w: SimpleNamespace) -> EditPage:
    return _admin(MSP, w.msp.pk, {"headquarters": "Irvine, CA"}, {"service_area": "Orange County"})


def _admin_contact(w: SimpleNamespace) -> EditPage:
    contact = vendor_services.contact_create(msp=w.msp, name="Luis Moreno", email="luis@acme.example")
    return _admin(Contact, contact.pk, {"email": "bruno@acme.example"}, {"title": "CTO"})


def _admin_reference(w: SimpleNamespace) -> EditPage:
    reference = vendor_services.reference_create(msp=w.msp, client="Orange Valley Credit Union", client_employees=210)
    return _admin(ClientReference, reference.pk, {"client_employees": "300"}, {"industry": "Banking"})


def _admin_specialty(w: SimpleNamespace) -> EditPage:
    specialty = Specialty.objects.order_by("pk").first()
    return _admin(Specialty, specialty.pk, {"name": "Renamed specialty"}, {"slug": "renamed-slug"})


def _admin_question(w: SimpleNamespace) -> EditPage:
    question = QuestionTemplate.objects.order_by("pk").first()
    return _admin(QuestionTemplate, question.pk, {"default_weight": "22"}, {"text": "A reworded question?"})


def _admin_requirement(w: SimpleNamespace) -> EditPage:
    requirement = RequirementTemplate.objects.order_by("pk").first()
    return _admin(RequirementTemplate, requirement.pk, {"text": "A reworded requirement"}, {"compliance": "SOC 2"})


def _admin_schedule(w: SimpleNamespace) -> EditPage:
    schedule = Schedule.objects.create(evaluation=w.evaluation)
    return _admin(Schedule, schedule.pk, {"scoring_days": "5"}, {"bids_days": "10"})


def _admin_preference(w: SimpleNamespace) -> EditPage:
    preference = Preference.objects.create(user=w.evan)
    return _admin(Preference, preference.pk, {"mode": "digest"}, {"optional": None})


def _admin_user(w: SimpleNamespace) -> EditPage:
    return _admin(User, w.evan.pk, {"email": "evan@new.example"}, {"first_name": "Evander"})


EDIT_PAGES = [
    pytest.param(_msp_page, ("priya", "bruno"), id="msp"),
    pytest.param(_contact_page, ("priya", "bruno"), id="contact"),
    pytest.param(_reference_page, ("priya", "bruno"), id="client-reference"),
    pytest.param(_evaluation_page, ("priya", "ada"), id="evaluation-details"),
    pytest.param(_bid_page, ("priya", "ada"), id="bid"),
    pytest.param(
        _criteria_page,
        ("priya", "ada"),
        id="criteria-weights",
    ),
    pytest.param(
        _candidate_page,
        ("priya", "ada"),
        id="candidate-status",
    ),
    pytest.param(
        _schedule_page,
        ("priya", "ada"),
        id="reminder-schedule",
    ),
    pytest.param(
        _admin_organization,
        ("ada", "root"),
        id="admin-organization",
    ),
    pytest.param(
        _admin_msp,
        ("ada", "root"),
        id="admin-msp",
    ),
    pytest.param(
        _admin_contact,
        ("ada", "root"),
        id="admin-contact",
    ),
    pytest.param(
        _admin_reference,
        ("ada", "root"),
        id="admin-client-reference",
    ),
    pytest.param(
        _admin_specialty,
        ("ada", "root"),
        id="admin-specialty",
    ),
    pytest.param(
        _admin_question,
        ("ada", "root"),
        id="admin-question-template",
    ),
    pytest.param(
        _admin_requirement,
        ("ada", "root"),
        id="admin-requirement-template",
    ),
    pytest.param(
        _admin_schedule,
        ("ada", "root"),
        id="admin-schedule",
    ),
    pytest.param(
        _admin_preference,
        ("ada", "root"),
        id="admin-preference",
    ),
    pytest.param(
        _admin_user,
        ("ada", "root"),
        id="admin-user",
    ),
]


@pytest.mark.parametrize(("build", "editors"), EDIT_PAGES)
def test_the_second_of_two_concurrent_saves_is_refused_and_nothing_is_overwritten(w, build, editors):
    page = build(w)
    first, second = (client_for(getattr(w, name)) for name in editors)
    # Both open the edit page: each form carries the version it was opened at.
    first_form = page_form(first.get(page.url), having=page.having, action=page.action)
    second_form = page_form(second.get(page.url), having=page.having, action=page.action)
    before = page.state()

    saved = first.post(first_form.action or page.url, first_form.fill(page.first))

    assert saved.status_code == 302, f"the first save was refused: {form_errors(saved)}"
    after_first = page.state()
    assert after_first != before, "the first save changed nothing"

    refused = second.post(second_form.action or page.url, second_form.fill(page.second))

    assert page.state() == after_first, "the second, stale save overwrote the first"
    assert refused.status_code == 200, f"the stale save was not refused (status {refused.status_code})"
    assert CONFLICT_TEXT in refused.text.lower()


# One-shot actions on an existing record (archive, withdraw, revoke, reopen, decide) and creations
# that must not happen twice: the second click, from a page opened before the first, changes nothing.


@dataclass
class StaleAction:
    page: str
    action: str
    state: Callable[[], Any]
    changes: dict[str, Any] = field(default_factory=dict)
    having: str | None = None


def _history_of(model: type, pk: int) -> list[tuple[Any, ...]]:
    return list(model.history.filter(id=pk).order_by("history_id").values_list("history_type", "history_change_reason"))


def _msp_archive(w: SimpleNamespace) -> StaleAction:
    return StaleAction(
        page=f"/vendors/{w.msp.pk}/",
        action=f"/vendors/{w.msp.pk}/archive/",
        state=lambda: (row(MSP, w.msp.pk), _history_of(MSP, w.msp.pk)),
    )


def _reference_archive(w: SimpleNamespace) -> StaleAction:
    reference = vendor_services.reference_create(msp=w.msp, client="Orange Valley Credit Union")
    return StaleAction(
        page=f"/vendors/{w.msp.pk}/",
        action=f"/vendors/{w.msp.pk}/references/{reference.pk}/archive/",
        state=lambda: (row(ClientReference, reference.pk), _history_of(ClientReference, reference.pk)),
    )


def _flag_withdraw(w: SimpleNamespace) -> StaleAction:
    flag = services.flag_raise(bid=w.bid, code="slow-invoices", note="Invoices arrive late.", by=w.priya)
    return StaleAction(
        page=f"/evaluations/{w.evaluation.pk}/bids/{w.bid.pk}/",
        action=f"/evaluations/{w.evaluation.pk}/bids/{w.bid.pk}/flags/{flag.pk}/withdraw/",
        state=lambda: (row(RedFlag, flag.pk), _history_of(RedFlag, flag.pk)),
    )


def _waiver_revoke(w: SimpleNamespace) -> StaleAction:
    bid = make_bid(w.evaluation, "Beacon IT", references_offered=0)
    waiver = services.waiver_create(bid=bid, code="no-references", reason="Called three clients.", by=w.priya)
    return StaleAction(
        page=f"/evaluations/{w.evaluation.pk}/bids/{bid.pk}/",
        action=f"/evaluations/{w.evaluation.pk}/bids/{bid.pk}/waivers/{waiver.pk}/revoke/",
        state=lambda: (row(Waiver, waiver.pk), _history_of(Waiver, waiver.pk)),
    )


def _document_withdraw(w: SimpleNamespace) -> StaleAction:
    upload = SimpleUploadedFile("proposal.pdf", b"%PDF-1.4 proposal", content_type="application/pdf")
    document = services.document_upload(bid=w.bid, kind="proposal", upload=upload, by=w.priya)
    return StaleAction(
        page=f"/evaluations/{w.evaluation.pk}/bids/{w.bid.pk}/",
        action=f"/evaluations/{w.evaluation.pk}/bids/{w.bid.pk}/documents/{document.pk}/withdraw/",
        state=lambda: (row(BidDocument, document.pk), _history_of(BidDocument, document.pk)),
    )


def _scorecard_reopen(w: SimpleNamespace) -> StaleAction:
    (assignment,) = assign(w.evaluation, w.evan)
    start_scoring(w.evaluation)
    score(assignment, {w.msp.name: 4})
    return StaleAction(
        page=f"/evaluations/{w.evaluation.pk}/",
        action=f"/evaluations/{w.evaluation.pk}/scorecards/{assignment.pk}/reopen/",
        changes={"reason": "Scored the wrong bid."},
        state=lambda: (row(Assignment, assignment.pk), _history_of(Assignment, assignment.pk)),
    )


def _flag_raise(w: SimpleNamespace) -> StaleAction:
    return StaleAction(
        page=f"/evaluations/{w.evaluation.pk}/bids/{w.bid.pk}/flags/new/",
        action="",
        having="code",
        changes={"code": "slow-invoices", "note": "Invoices arrive late."},
        state=lambda: list(RedFlag.objects.filter(bid=w.bid).values_list("code", "withdrawn_at")),
    )


def _evaluators_add(w: SimpleNamespace) -> StaleAction:
    return StaleAction(
        page=f"/evaluations/{w.evaluation.pk}/evaluators/",
        action="",
        having="evaluators",
        changes={"evaluators": [w.evan.pk]},
        state=lambda: list(Assignment.objects.filter(evaluation=w.evaluation).values_list("evaluator_id", "position")),
    )


def _candidate_invite(w: SimpleNamespace) -> StaleAction:
    other = make_msp("Summit Tech Partners")
    return StaleAction(
        page=f"/evaluations/{w.evaluation.pk}/candidates/",
        action="",
        having="msps",
        changes={"msps": [other.pk]},
        state=lambda: list(Candidate.objects.filter(evaluation=w.evaluation).values_list("msp_id", "status")),
    )


STALE_ACTIONS = [
    pytest.param(_msp_archive, ("priya", "bruno"), id="msp-archive"),
    pytest.param(_reference_archive, ("priya", "bruno"), id="reference-archive"),
    pytest.param(
        _flag_withdraw,
        ("priya", "ada"),
        id="flag-withdraw",
    ),
    pytest.param(
        _waiver_revoke,
        ("priya", "ada"),
        id="waiver-revoke",
    ),
    pytest.param(
        _document_withdraw,
        ("priya", "ada"),
        id="document-withdraw",
    ),
    pytest.param(_scorecard_reopen, ("priya", "ada"), id="scorecard-reopen"),
    pytest.param(_flag_raise, ("priya", "ada"), id="flag-raise"),
    pytest.param(_evaluators_add, ("priya", "ada"), id="evaluators-add"),
    pytest.param(_candidate_invite, ("priya", "ada"), id="candidate-invite"),
]


@pytest.mark.parametrize(("build", "people"), STALE_ACTIONS)
def test_the_same_action_from_two_stale_pages_takes_effect_once(w, build, people):
    stale = build(w)
    first, second = (client_for(getattr(w, name)) for name in people)
    where = {"having": stale.having} if stale.having else {"action": stale.action}
    first_form = page_form(first.get(stale.page), **where)
    second_form = page_form(second.get(stale.page), **where)
    before = stale.state()

    done = first.post(first_form.action or stale.page, first_form.fill(stale.changes))

    assert done.status_code == 302, f"the first action failed: {form_errors(done)}"
    after_first = stale.state()
    assert after_first != before

    second.post(second_form.action or stale.page, second_form.fill(stale.changes))

    assert stale.state() == after_first, "the second, stale action changed the record again"


def test_a_second_executive_deciding_an_award_already_decided_changes_nothing(w):
    evaluation = move_to(w.evaluation, "collecting_bids", "scoring", "decision")
    award = services.award_propose(evaluation=evaluation, bid=w.bid, rationale="Ranked first.", by=w.priya)
    marcus, erin = client_for(w.marcus), client_for(w.erin)
    url = f"/evaluations/{evaluation.pk}/award/"
    action = f"/evaluations/{evaluation.pk}/award/{award.pk}/decide/"
    approve = page_form(marcus.get(url), action=action).fill({"decision": "approve"})
    reject = page_form(erin.get(url), action=action).fill({"decision": "reject", "comment": "Too expensive."})

    assert marcus.post(action, approve).status_code == 302
    decided = (row(Award, award.pk), row(Evaluation, evaluation.pk))
    erin.post(action, reject)

    assert (row(Award, award.pk), row(Evaluation, evaluation.pk)) == decided
    assert decided[0]["decision"] == AwardDecision.APPROVED


@POSTGRESQL_ONLY
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("build", "editors"), EDIT_PAGES[:5])
def test_two_saves_at_the_same_moment_one_wins_the_other_is_refused(reference_rows, w, build, editors):
    """Both forms pass their version check before either saves: the row lock in save_versioned decides."""
    page = build(w)
    clients = [client_for(getattr(w, name)) for name in editors]
    forms = [page_form(c.get(page.url), having=page.having, action=page.action) for c in clients]
    before = page.state()
    posts = [
        (c, f.action or page.url, f.fill(change))
        for c, f, change in zip(clients, forms, (page.first, page.second), strict=True)
    ]

    responses = at_once([lambda c=c, a=a, d=d: c.post(a, d) for c, a, d in posts])

    statuses = [r.status_code for r in responses]
    assert sorted(statuses) == [200, 302], statuses
    assert CONFLICT_TEXT in responses[statuses.index(200)].text.lower()
    # The winner's change is in, the loser's is not (on these pages a form field is a model field).
    won, lost = (page.first, page.second) if statuses[0] == 302 else (page.second, page.first)
    current = page.state()
    assert all(current[name] != before[name] for name in won)
    assert all(current[name] == before[name] for name in lost)


# --- 2. Scorecards saved at once, or twice quickly, lose nothing ---------------------------------


@pytest.fixture
def scoring(w) -> SimpleNamespace:
    """W's evaluation in scoring: Acme and Beacon bid; Evan and Sam evaluate."""
    beacon = make_bid(w.evaluation, "Beacon IT", monthly_fee=2000)
    evan, sam = assign(w.evaluation, w.evan, w.sam)
    evaluation = start_scoring(w.evaluation)
    return SimpleNamespace(evaluation=evaluation, beacon=beacon, evan=evan, sam=sam, w=w)


def scorecard_url(evaluation: Evaluation) -> str:
    return f"/evaluations/{evaluation.pk}/scorecard/"


def scorecard_values(form: PageForm, assignment: Assignment, value_of: Callable[[Bid, Criterion], Any]) -> dict:
    """Scorecard changes: every score and note of the assignment's slots, from ``value_of(bid, question)``."""
    changes: dict[str, Any] = {}
    for bid, questions in services.scorecard_slots(assignment):
        for question in questions:
            value = value_of(bid, question)
            changes[f"score_{bid.pk}_{question.pk}"] = "" if value is None else str(value)
            changes[f"note_{bid.pk}_{question.pk}"] = "" if value is None else f"{value} for {bid.msp.name}"
    assert set(changes) <= form.names()
    return changes


def saved_scores(assignment: Assignment) -> dict[tuple[int, int], tuple[int, str]]:
    rows = list(Score.objects.filter(assignment=assignment).values_list("bid_id", "criterion_id", "score", "note"))
    keys = [(b, c) for b, c, _, _ in rows]
    assert len(keys) == len(set(keys)), "a question carries two scores"
    return {(b, c): (s, n) for b, c, s, n in rows}


def expected_scores(assignment: Assignment, value_of: Callable[[Bid, Criterion], Any]) -> dict:
    return {
        (bid.pk, q.pk): (value_of(bid, q), f"{value_of(bid, q)} for {bid.msp.name}")
        for bid, questions in services.scorecard_slots(assignment)
        for q in questions
        if value_of(bid, q) is not None
    }


def evans(bid: Bid, question: Criterion) -> int:
    return 4 if bid.msp.name == "Acme Managed IT" else 2


def sams(bid: Bid, question: Criterion) -> int:
    return 1 if bid.msp.name == "Acme Managed IT" else 5


def test_two_evaluators_saving_interleaved_keep_both_scorecards(scoring):
    w = scoring.w
    evan, sam = client_for(w.evan), client_for(w.sam)
    url = scorecard_url(scoring.evaluation)
    evan_form = page_form(evan.get(url), having="submit")
    sam_form = page_form(sam.get(url), having="submit")

    # Drafts, one after the other; then each submits from the page their draft led back to.
    assert evan.post(url, evan_form.fill(scorecard_values(evan_form, scoring.evan, evans), "save")).status_code == 302
    assert sam.post(url, sam_form.fill(scorecard_values(sam_form, scoring.sam, sams), "save")).status_code == 302
    evan_form, sam_form = (page_form(c.get(url), having="submit") for c in (evan, sam))
    assert evan.post(url, evan_form.fill(scorecard_values(evan_form, scoring.evan, evans), "submit")).status_code == 302
    assert sam.post(url, sam_form.fill(scorecard_values(sam_form, scoring.sam, sams), "submit")).status_code == 302

    assert saved_scores(scoring.evan) == expected_scores(scoring.evan, evans)
    assert saved_scores(scoring.sam) == expected_scores(scoring.sam, sams)
    assert refreshed(scoring.evan).submitted_at and refreshed(scoring.sam).submitted_at
    assert Score.objects.count() == len(expected_scores(scoring.evan, evans)) + len(expected_scores(scoring.sam, sams))


def two_tabs(scoring: SimpleNamespace) -> tuple[Client, PageForm, PageForm]:
    """Evan's scorecard opened in two tabs: one client, two pages (each with its own one-time key)."""
    client = client_for(scoring.w.evan)
    url = scorecard_url(scoring.evaluation)
    return client, page_form(client.get(url), having="submit"), page_form(client.get(url), having="submit")


def test_one_page_sent_twice_saves_once(scoring):
    client, form, _ = two_tabs(scoring)
    url = scorecard_url(scoring.evaluation)
    data = form.fill(scorecard_values(form, scoring.evan, evans), "save")

    assert client.post(url, data).status_code == 302
    again = client.post(url, data, follow=True)

    assert "already sent and done" in again.text
    assert saved_scores(scoring.evan) == expected_scores(scoring.evan, evans)


def test_a_different_save_from_a_tab_opened_before_is_refused_then_kept_on_purpose(scoring):
    client, first_tab, second_tab = two_tabs(scoring)
    url = scorecard_url(scoring.evaluation)
    first_question = Criterion.objects.filter(evaluation=scoring.evaluation, kind=CriterionKind.QUESTION).first()

    def first_draft(bid: Bid, question: Criterion) -> int:
        return 3

    def second_draft(bid: Bid, question: Criterion) -> int | None:
        # Different scores, and one question cleared again.
        return None if (bid.pk, question.pk) == (scoring.beacon.pk, first_question.pk) else 5

    # The first tab saves; the second, opened before, is refused with the saved values beside its own.
    assert (
        client.post(url, first_tab.fill(scorecard_values(first_tab, scoring.evan, first_draft), "save")).status_code
        == 302
    )
    refused = client.post(url, second_tab.fill(scorecard_values(second_tab, scoring.evan, second_draft), "save"))
    assert refused.status_code == 200 and "Saved from another window or tab" in refused.text
    assert saved_scores(scoring.evan) == expected_scores(scoring.evan, first_draft)

    # Saved again from the refused page: the second draft, on purpose, with no question scored twice.
    again = page_form(refused, having="submit")
    assert client.post(url, again.fill(scorecard_values(again, scoring.evan, second_draft), "save")).status_code == 302
    assert saved_scores(scoring.evan) == expected_scores(scoring.evan, second_draft)
    assert refreshed(scoring.evan).submitted_at is None


def test_the_same_scores_from_a_tab_opened_before_are_no_conflict(scoring):
    client, first_tab, second_tab = two_tabs(scoring)
    url = scorecard_url(scoring.evaluation)

    assert client.post(url, first_tab.fill(scorecard_values(first_tab, scoring.evan, evans), "save")).status_code == 302
    assert (
        client.post(url, second_tab.fill(scorecard_values(second_tab, scoring.evan, evans), "submit")).status_code
        == 302
    )

    assert saved_scores(scoring.evan) == expected_scores(scoring.evan, evans)
    assert refreshed(scoring.evan).submitted_at is not None


def test_a_submission_from_a_tab_opened_before_a_different_draft_is_refused(scoring):
    client, first_tab, second_tab = two_tabs(scoring)
    url = scorecard_url(scoring.evaluation)

    assert client.post(url, first_tab.fill(scorecard_values(first_tab, scoring.evan, sams), "save")).status_code == 302
    refused = client.post(url, second_tab.fill(scorecard_values(second_tab, scoring.evan, evans), "submit"))

    assert refused.status_code == 200 and "Saved from another window or tab" in refused.text
    assert saved_scores(scoring.evan) == expected_scores(scoring.evan, sams)
    assert refreshed(scoring.evan).submitted_at is None


def test_a_second_submission_from_a_stale_tab_changes_nothing(scoring):
    client, first_tab, second_tab = two_tabs(scoring)
    url = scorecard_url(scoring.evaluation)
    assert (
        client.post(url, first_tab.fill(scorecard_values(first_tab, scoring.evan, evans), "submit")).status_code == 302
    )
    submitted = (saved_scores(scoring.evan), refreshed(scoring.evan).submitted_at)

    again = client.post(url, second_tab.fill(scorecard_values(second_tab, scoring.evan, sams), "submit"))

    assert again.status_code == 200
    assert "already submitted" in again.text
    assert (saved_scores(scoring.evan), refreshed(scoring.evan).submitted_at) == submitted


# The same at the same moment: threads, each with its own connection (PostgreSQL).

DATA_MIGRATIONS = [
    ("accounts.migrations.0001_groups", "create_groups"),
    ("vendors.migrations.0002_specialties", "create_specialties"),
    ("scoring.migrations.0003_libraries", "seed"),
]


@pytest.fixture
def reference_rows(transactional_db) -> None:
    """A transactional test starts from tables another one emptied: put back what the data migrations made."""
    import importlib

    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together; each thread closes its own connection."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@POSTGRESQL_ONLY
@pytest.mark.django_db(transaction=True)
def test_two_evaluators_submitting_at_the_same_moment_keep_both_scorecards(reference_rows, scoring):
    url = scorecard_url(scoring.evaluation)
    evan, sam = client_for(scoring.w.evan), client_for(scoring.w.sam)
    evan_form, sam_form = (page_form(c.get(url), having="submit") for c in (evan, sam))
    evan_data = evan_form.fill(scorecard_values(evan_form, scoring.evan, evans), "submit")
    sam_data = sam_form.fill(scorecard_values(sam_form, scoring.sam, sams), "submit")

    responses = at_once([lambda: evan.post(url, evan_data), lambda: sam.post(url, sam_data)])

    assert [r.status_code for r in responses] == [302, 302]
    assert saved_scores(scoring.evan) == expected_scores(scoring.evan, evans)
    assert saved_scores(scoring.sam) == expected_scores(scoring.sam, sams)
    assert refreshed(scoring.evan).submitted_at and refreshed(scoring.sam).submitted_at
    # The stored ranking was refreshed after both: it counts both scorecards.
    document = services.stored_ranking(refreshed(scoring.evaluation))
    assert document == services.refresh_ranking(refreshed(scoring.evaluation))[0]


@POSTGRESQL_ONLY
@pytest.mark.django_db(transaction=True)
def test_one_evaluator_saving_twice_at_the_same_moment_keeps_one_whole_save(reference_rows, scoring):
    url = scorecard_url(scoring.evaluation)
    tabs = [client_for(scoring.w.evan), client_for(scoring.w.evan)]
    forms = [page_form(tab.get(url), having="submit") for tab in tabs]  # the scorecard open in two tabs
    drafts = [
        f.fill(scorecard_values(f, scoring.evan, values), "save")
        for f, values in zip(forms, (evans, sams), strict=True)
    ]

    responses = at_once([lambda c=c, d=d: c.post(url, d) for c, d in zip(tabs, drafts, strict=True)])

    # Both tabs opened the same scorecard: the first save lands, the other finds it moved and is refused.
    assert sorted(r.status_code for r in responses) == [200, 302]
    won = evans if responses[0].status_code == 302 else sams
    # The winner's save, whole: never a mix of the two, never a duplicate.
    assert saved_scores(scoring.evan) == expected_scores(scoring.evan, won)


@POSTGRESQL_ONLY
@pytest.mark.django_db(transaction=True)
def test_a_draft_and_a_submission_at_the_same_moment_one_lands_whole_the_other_is_refused(reference_rows, scoring):
    url = scorecard_url(scoring.evaluation)
    tabs = [client_for(scoring.w.evan), client_for(scoring.w.evan)]
    forms = [page_form(tab.get(url), having="submit") for tab in tabs]  # the scorecard open in two tabs
    draft = forms[0].fill(scorecard_values(forms[0], scoring.evan, sams), "save")
    submission = forms[1].fill(scorecard_values(forms[1], scoring.evan, evans), "submit")

    responses = at_once([lambda: tabs[0].post(url, draft), lambda: tabs[1].post(url, submission)])

    # The submission lands first (the draft is refused: already submitted), or the draft does (the
    # submission, from a page opened before it, is refused as stale). Never a mix.
    assert sorted(r.status_code for r in responses) == [200, 302]
    if responses[1].status_code == 302:
        assert saved_scores(scoring.evan) == expected_scores(scoring.evan, evans)
        assert refreshed(scoring.evan).submitted_at is not None
    else:
        assert saved_scores(scoring.evan) == expected_scores(scoring.evan, sams)
        assert refreshed(scoring.evan).submitted_at is None


@POSTGRESQL_ONLY
@pytest.mark.django_db(transaction=True)
def test_a_form_sent_twice_at_the_same_moment_creates_one_evaluation(reference_rows, w):
    tabs = [client_for(w.priya), client_for(w.priya)]
    form = page_form(tabs[0].get("/evaluations/new/"), having="title")
    # The page's one-time key, and the form filled in.
    data = {**evaluation_form_data(title="Sent twice"), "once": form.submitted()["once"][0]}
    before = Evaluation.objects.count()

    responses = at_once([lambda c=c: c.post("/evaluations/new/", data) for c in tabs])

    # The twin waited for the first sending, then was led to what it made.
    assert [r.status_code for r in responses] == [302, 302]
    assert Evaluation.objects.count() == before + 1
    created = Evaluation.objects.get(title="Sent twice")
    assert {r["Location"] for r in responses} == {created.get_absolute_url()}


# --- 3. The database failing part-way leaves nothing half-written -------------------------------

# INSERT OR IGNORE INTO (SQLite) is how many-to-many rows are added.
WRITE = re.compile(r'^\s*(INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


class FailingDatabase:
    """Raises ``DatabaseError`` instead of running the ``nth`` write statement that matches.

    ``verb`` is INSERT, UPDATE or DELETE (or None for any); ``table`` a table name (or None for any).
    """

    def __init__(self, *, nth: int = 1, verb: str | None = None, table: str | None = None) -> None:
        self.nth, self.verb, self.table = nth, verb, table
        self.seen = 0
        self.failed: str | None = None

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
        found = WRITE.match(sql)
        if found and self.failed is None:
            verb, table = found.group(1).split()[0].upper(), found.group(2)
            if (self.verb is None or verb == self.verb) and (self.table is None or table == self.table):
                self.seen += 1
                if self.seen == self.nth:
                    self.failed = f"{verb} {table}"
                    raise DatabaseError(f"simulated database failure on {verb} {table}")
        return execute(sql, params, many, context)


class WriteRecorder:
    def __init__(self) -> None:
        self.writes: list[str] = []

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
        found = WRITE.match(sql)
        if found:
            self.writes.append(f"{found.group(1).split()[0].upper()} {found.group(2)}")
        return execute(sql, params, many, context)


@contextmanager
def failing(**where: Any) -> Iterator[FailingDatabase]:
    failure = FailingDatabase(**where)
    with connection.execute_wrapper(failure):
        yield failure
    assert failure.failed, f"no statement matched {where}: the failure was never injected"


def row_counts() -> dict[str, int]:
    """Every table's row count: the app's, auth's, the history tables, the many-to-many tables."""
    return {
        model._meta.db_table: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.db_table not in ("django_session",)
    }


def database_state() -> tuple[dict[str, int], list[tuple[Any, ...]]]:
    """Row counts, and the rows a write would change (so an update that was half-done shows too)."""
    return row_counts(), [*scoring_state(), *User.objects.order_by("pk").values_list("pk", "username", "email")]


class _Rollback(Exception):
    pass


def rich_package() -> dict[str, Any]:
    """A package that writes to every table an import touches.

    New evaluators (users), new MSPs, candidates (one that did not bid), requirements met, a manual
    flag, a waiver, a conflict, scores, a document and a reference check (a new client reference).
    """
    data = contract_example()
    data["evaluators"].append({"username": "bob", "name": "Bob Stone", "email": "bob@example.com"})
    data["bids"][0]["documents"] = [
        {"kind": "evidence", "name": "baa.pdf", "size": 1234, "sha256": "a" * 64, "requirement": "hipaa-baa"}
    ]
    data["bids"][0]["reference_checks"] = [
        {"client": "Westside Pediatrics", "checked_on": "2026-11-02", "checked_by": "alice", "outcome": "positive"}
    ]
    data["bids"].append(
        {
            "vendor": "Beta Co-Managed",
            "model": "co_managed",
            "pricing_model": "flat",
            "monthly_fee": 5000,
            "contract_term_months": 12,
            "critical_response_minutes": 60,
            "sla_best_effort": False,
            "references_offered": 0,
            "environment_assessed": True,
            "documented_escalation": True,
            "documented_onboarding": True,
            "performance_exit_clause": False,
            "requirements_met": ["hipaa-baa"],
            "manual_red_flags": [{"code": "slow-invoices", "note": "Invoices arrive late"}],
            "waived_red_flags": [{"code": "no-references", "reason": "New firm; three clients called by phone"}],
        }
    )
    data["scores"].append(
        {"evaluator": "bob", "vendor": "Acme Managed IT", "criterion": "sla-guarantee", "score": 2, "note": "draft"}
    )
    data["conflicts"] = [{"evaluator": "bob", "vendor": "Beta Co-Managed", "note": "Former employer"}]
    data["candidates"] = [{"vendor": "Gamma Networks", "status": "declined", "note": "Too busy"}]
    return data


def _load(owner: User) -> Evaluation:
    return loading.evaluation_load(package=parse_package(loads(json.dumps(rich_package()))), owner=owner)


def test_an_import_failing_at_any_of_its_writes_leaves_nothing_behind(procurement):
    # Which statements a successful import runs, in order (then undone).
    recorder = WriteRecorder()
    with pytest.raises(_Rollback), transaction.atomic(), connection.execute_wrapper(recorder):
        _load(procurement)
        raise _Rollback
    tables = {write.split()[1] for write in recorder.writes}
    # The package reaches every kind of row an import writes.
    for table in ("auth_user", "auth_user_groups", "vendors_msp", "vendors_clientreference", "scoring_candidate",
                  "scoring_score", "scoring_biddocument", "scoring_referencecheck", "scoring_storedranking",
                  "scoring_historicalscore"):  # fmt: skip
        assert table in tables, f"the import never writes {table}"
    before = database_state()

    survived = []
    for nth in range(1, len(recorder.writes) + 1):
        with pytest.raises(DatabaseError), failing(nth=nth) as failure:
            _load(procurement)
        if database_state() != before:
            survived.append(f"#{nth} {failure.failed}")

    assert not survived, f"a failure at these writes left rows behind: {survived}"
    assert not Evaluation.objects.exists()


def test_the_load_command_failing_part_way_leaves_nothing_behind(procurement, tmp_path):
    path = tmp_path / "package.json"
    path.write_text(json.dumps(rich_package()))
    before = database_state()

    with pytest.raises(DatabaseError), failing(verb="INSERT", table="scoring_score"):
        call_command("load_evaluation", str(path), owner=procurement.username, stdout=StringIO(), stderr=StringIO())

    assert database_state() == before


def failing_client(user: User) -> Client:
    """A client that gets the error page, as a browser would, instead of the view's exception."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def assert_failure_shown(response: Any) -> None:
    """The request is not reported as a success, and the person sees an error page, not a traceback.

    Observed today: a 500 with templates/500.html ("Something went wrong … Please try again in a moment");
    what the person typed (a scorecard, a bid) is not shown again.
    """
    assert response.status_code not in (301, 302, 303), "a failed write was reported as a success"
    assert response.status_code >= 400 or "error" in response.text.lower()
    assert "Traceback" not in response.text
    if response.status_code == 500:
        assert "500.html" in [t.name for t in response.templates], "not the app's error page"


@pytest.mark.parametrize(
    "where",
    [
        pytest.param({"verb": "INSERT", "table": "scoring_evaluation"}, id="first-row"),
        pytest.param({"verb": "INSERT", "table": "auth_user", "nth": 2}, id="second-new-evaluator"),
        pytest.param({"verb": "INSERT", "table": "vendors_msp", "nth": 2}, id="second-new-msp"),
        pytest.param({"verb": "INSERT", "table": "scoring_historicalscore"}, id="score-history"),
        pytest.param({"verb": "INSERT", "table": "scoring_referencecheck"}, id="reference-check"),
        pytest.param({"verb": "INSERT", "table": "scoring_storedranking"}, id="ranking-last"),
    ],
)
def test_the_import_page_failing_part_way_leaves_nothing_behind_and_says_so(procurement, where):
    client = failing_client(procurement)
    upload = SimpleUploadedFile("package.json", json.dumps(rich_package()).encode(), "application/json")
    before = database_state()

    with failing(**where):
        response = client.post("/evaluations/import/", {"package": upload})

    assert database_state() == before
    assert_failure_shown(response)


@pytest.fixture
def drafted(scoring) -> SimpleNamespace:
    """Evan has a draft (3 on Acme's questions, Beacon's empty); Sam submitted."""
    score(scoring.evan, {"Acme Managed IT": 3}, submit=False)
    score(scoring.sam, {"Acme Managed IT": 4, "Beacon IT": 2})
    return scoring


@pytest.mark.parametrize(
    "where",
    [
        pytest.param({"verb": "UPDATE", "table": "scoring_score", "nth": 2}, id="second-changed-draft"),
        pytest.param({"verb": "INSERT", "table": "scoring_score", "nth": 2}, id="second-new-score"),
        pytest.param({"verb": "INSERT", "table": "scoring_historicalscore", "nth": 3}, id="score-history"),
        pytest.param({"verb": "UPDATE", "table": "scoring_assignment"}, id="marking-submitted"),
        pytest.param({"verb": "UPDATE", "table": "scoring_storedranking"}, id="ranking-last"),
    ],
)
def test_a_scorecard_submission_failing_part_way_leaves_the_draft_as_it_was(drafted, where):
    client = failing_client(drafted.w.evan)
    url = scorecard_url(drafted.evaluation)
    form = page_form(client.get(url), having="submit")
    data = form.fill(scorecard_values(form, drafted.evan, evans), "submit")
    before = database_state()

    with failing(**where):
        response = client.post(url, data)

    assert database_state() == before
    assert refreshed(drafted.evan).submitted_at is None
    assert_failure_shown(response)


def _create_evaluation(w: SimpleNamespace) -> tuple[User, str, dict[str, Any]]:
    return w.priya, "/evaluations/new/", {"title": "Managed IT services 2029", "model": "fully_managed"}


def _create_bid(w: SimpleNamespace) -> tuple[User, str, dict[str, Any]]:
    make_msp("Beacon IT")
    form_page = f"/evaluations/{w.evaluation.pk}/bids/new/"
    beacon = MSP.objects.get(name="Beacon IT")
    return (
        w.priya,
        form_page,
        {"msp": str(beacon.pk), "pricing_model": "flat", "monthly_fee": "1200", "contract_term_months": "12"},
    )


def _create_msp(w: SimpleNamespace) -> tuple[User, str, dict[str, Any]]:
    specialties = list(Specialty.objects.values_list("pk", flat=True)[:3])
    return (
        w.priya,
        "/vendors/new/",
        {"name": "Brightwater IT", "offers_fully_managed": "on", "specialties": specialties},
    )


def _approve_award(w: SimpleNamespace) -> tuple[User, str, dict[str, Any]]:
    evaluation = move_to(w.evaluation, "collecting_bids", "scoring", "decision")
    award = services.award_propose(evaluation=evaluation, bid=w.bid, rationale="Ranked first.", by=w.priya)
    return w.marcus, f"/evaluations/{evaluation.pk}/award/{award.pk}/decide/", {"decision": "approve"}


def _invite(w: SimpleNamespace) -> tuple[User, str, dict[str, Any]]:
    msps = [make_msp(name).pk for name in ("Beacon IT", "Summit Tech Partners", "Delta Networks")]
    return w.priya, f"/evaluations/{w.evaluation.pk}/candidates/", {"msps": msps}


SUBMISSIONS = [
    pytest.param(
        _create_evaluation, {"verb": "INSERT", "table": "scoring_criterion", "nth": 3}, id="evaluation-create"
    ),
    pytest.param(_create_bid, {"verb": "INSERT", "table": "scoring_candidate"}, id="bid-create"),
    pytest.param(_create_msp, {"verb": "INSERT", "table": "vendors_msp_specialties"}, id="msp-create"),
    pytest.param(_approve_award, {"verb": "UPDATE", "table": "scoring_award"}, id="award-approve"),
    pytest.param(_invite, {"verb": "INSERT", "table": "scoring_candidate", "nth": 3}, id="candidate-invite"),
]


@pytest.mark.parametrize(("build", "where"), SUBMISSIONS)
def test_a_form_submission_failing_part_way_leaves_nothing_half_written(w, build, where):
    user, url, changes = build(w)
    client = failing_client(user)
    page = url if not url.endswith("/decide/") else url.rsplit("/award/", 1)[0] + "/award/"
    form = page_form(client.get(page), action=url if page != url else None, having=next(iter(changes)))
    data = form.fill(changes)
    before = database_state()

    with failing(**where):
        response = client.post(url, data)

    assert database_state() == before
    assert_failure_shown(response)
    # The same submission, once the database is back, goes through: the failure left no trace in the way.
    assert client.post(url, data).status_code == 302


def _stored_files() -> set[Path]:
    root = Path(BidDocument._meta.get_field("file").storage.location)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_a_document_upload_failing_at_its_row_leaves_no_file_behind(w):
    client = failing_client(w.priya)
    url = f"/evaluations/{w.evaluation.pk}/bids/{w.bid.pk}/documents/new/"
    form = page_form(client.get(url), having="kind")
    data = form.fill({"kind": "proposal"})
    data["file"] = SimpleUploadedFile("proposal.pdf", b"%PDF-1.4 a proposal", content_type="application/pdf")
    before, files = database_state(), _stored_files()

    try:
        with failing(verb="INSERT", table="scoring_biddocument"):
            response = client.post(url, data)

        assert database_state() == before
        assert_failure_shown(response)
        assert _stored_files() == files, "the file of a document that was never recorded stayed on disk"
    finally:
        for orphan in _stored_files() - files:
            orphan.unlink()


def test_a_document_upload_failing_at_its_row_writes_no_row(w):
    client = failing_client(w.priya)
    url = f"/evaluations/{w.evaluation.pk}/bids/{w.bid.pk}/documents/new/"
    form = page_form(client.get(url), having="kind")
    data = form.fill({"kind": "proposal"})
    data["file"] = SimpleUploadedFile("proposal.pdf", b"%PDF-1.4 a proposal", content_type="application/pdf")
    before = database_state()

    with failing(verb="INSERT", table="scoring_historicalbiddocument"):
        response = client.post(url, data)

    assert database_state() == before
    assert_failure_shown(response)
