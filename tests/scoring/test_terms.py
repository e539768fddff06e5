"""Every term declared in ``scoring.terms`` reaches each place derived from it.

A term is declared once; these tests walk each declared term through the bid model, the
bid form, the bid service, a package (parsed, loaded, exported) and the pages, so a term
added to the declaration shows up everywhere or a test names where it is missing.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import models
from django.urls import reverse

from scoring import services, terms
from scoring.forms import BidForm
from scoring.models import Bid
from scoring.package import BID_KEYS, export, loads, parse_package
from scoring.package.schema import PackageError
from tests.conftest import client_for

from .factories import contract_example, load, make_bid, make_evaluation, package_bid

FIELD_TYPES = {
    terms.MONEY_KIND: models.DecimalField,
    terms.QUANTITY: models.DecimalField,
    terms.COUNT: models.PositiveIntegerField,
    terms.FLAG: models.BooleanField,
}

# Amounts that make each pricing model's price whole (the terms under test are set on top).
AMOUNTS = {
    "per_user": {"rate": 100},
    "per_device": {"rate": 50},
    "flat": {"monthly_fee": 1000},
    "hourly": {"rate": 90, "est_hours_per_month": 10},
    "hybrid": {"monthly_fee": 500, "rate": 90, "est_hours_per_month": 5},
    "project": {"project_price": 20000},
}


def sample(term: terms.Term) -> Any:
    """A value of the term that is nobody's default: it can only arrive by travelling."""
    if term.is_decimal:
        return Decimal("123.5")
    if term.kind == terms.COUNT:
        return term.minimum + 7
    return not term.default


def pricing_model_for(term: terms.Term) -> str:
    return term.pricing_models[0] if term.is_amount else "flat"


def package_with(term: terms.Term, value: Any) -> dict[str, Any]:
    pricing_model = pricing_model_for(term)
    entry = package_bid(
        "Acme Managed IT", pricing_model=pricing_model, **{"monthly_fee": None, **AMOUNTS[pricing_model]}
    )
    entry[term.name] = float(value) if isinstance(value, Decimal) else value
    data = contract_example()
    data["bids"] = [entry]
    data["scores"] = []
    return data


ALL = pytest.mark.parametrize("term", terms.TERMS, ids=[t.name for t in terms.TERMS])


def test_the_declaration_names_each_term_once_and_gives_every_extension_a_default():
    assert len(terms.NAMES) == len(set(terms.NAMES))
    assert [t.name for t in terms.TERMS if not t.contract and t.package_default is terms.REQUIRED] == []
    # The contract's four amounts are exactly the ones a pricing model uses.
    assert terms.AMOUNT_NAMES == ("rate", "monthly_fee", "est_hours_per_month", "project_price")


@ALL
def test_every_term_is_a_field_of_the_bid_model(term):
    field = Bid._meta.get_field(term.name)
    assert isinstance(field, FIELD_TYPES[term.kind])
    assert field.verbose_name == (term.verbose_name or term.name.replace("_", " "))
    assert field.null is term.nullable
    # The history keeps it too.
    assert Bid.history.model._meta.get_field(term.name)


@ALL
def test_every_term_is_on_the_bid_form_under_its_heading(term, procurement):
    form = BidForm(evaluation=make_evaluation(procurement))
    placed = [(s["heading"], field.name) for s in form.term_sections() for field, _column in s["fields"]]
    assert [name for _heading, name in placed].count(term.name) == 1
    expected = term.label if term.verbose_name is None else term.verbose_name[0].upper() + term.verbose_name[1:]
    assert form[term.name].label == expected


@ALL
def test_the_bid_service_writes_every_term(term, procurement):
    model = pricing_model_for(term)
    bid = make_bid(make_evaluation(procurement), pricing_model=model, **{"monthly_fee": None, **AMOUNTS[model]})
    assert term.name in services.BID_FIELDS

    updated = services.bid_update(bid=bid, expected_version=bid.version, **{**AMOUNTS[model], term.name: sample(term)})

    assert getattr(Bid.objects.get(pk=updated.pk), term.name) == sample(term)


@ALL
def test_every_term_travels_through_a_package_and_back(term, procurement):
    assert term.name in BID_KEYS
    evaluation = load(procurement, package_with(term, sample(term)))

    bid = evaluation.bids.get()
    assert getattr(bid, term.name) == sample(term)
    exported = export.evaluation_export(evaluation)["bids"][0]
    assert exported[term.name] == sample(term)


@ALL
def test_a_package_with_a_term_of_the_wrong_type_names_it(term):
    with pytest.raises(PackageError) as refused:
        parse_package(loads(json.dumps(package_with(term, "lots"))))

    assert any(problem.startswith(f"bids[0].{term.name}: must be") for problem in refused.value.errors)


@ALL
def test_a_package_leaving_out_a_term_loads_only_if_the_term_may_be_left_out(term, procurement):
    data = package_with(term, sample(term))
    del data["bids"][0][term.name]

    if term.package_default is terms.REQUIRED:
        with pytest.raises(PackageError) as refused:
            parse_package(loads(json.dumps(data)))
        assert any(problem.startswith(f"bids[0].{term.name}: required") for problem in refused.value.errors)
    else:
        bid = load(procurement, data).bids.get()
        assert getattr(bid, term.name) == term.package_default


def test_the_bid_page_and_the_side_by_side_show_every_term(procurement):
    evaluation = make_evaluation(procurement)
    bids = [make_bid(evaluation, vendor, pricing_model=model, **{"monthly_fee": None, **AMOUNTS[model]})
            for vendor, model in (("Acme", "hourly"), ("Bolt", "project"), ("Cobalt", "per_user"))]  # fmt: skip
    client = client_for(procurement)

    page = client.get(bids[0].get_absolute_url()).content.decode()
    picked = "&".join(f"bid={bid.pk}" for bid in bids)
    compare = client.get(f"{reverse('scoring:compare', args=[evaluation.pk])}?{picked}").content.decode()

    # The bid page shows the terms its pricing model uses; the side by side every term.
    assert "monthly MSP cost = rate × estimated hours = $90.00 × 10." in page
    shown = [t.label for t in terms.TERMS if terms.applies(t, "hourly")]
    assert [label for label in shown if label not in page] == []
    assert [t.label for t in terms.TERMS if t.label not in compare] == []


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("rate", Decimal("1234.505"), "$1,234.51"),  # money: to the cent, half up
        ("est_hours_per_month", Decimal("12.500000"), "12.5 hours"),  # hours are not money
        ("est_hours_per_month", Decimal("1500"), "1,500 hours"),
        ("est_hours_per_month", None, "—"),
        ("contract_term_months", 36, "36 months"),
        ("performance_exit_clause", True, "Yes"),
    ],
)
def test_each_kind_of_term_reads_as_people_write_it(name, value, expected):
    assert terms.BY_NAME[name].display(value) == expected


def _rows(html: str) -> dict[str, list[str]]:
    """The side by side's rows: label -> one cell per bid."""
    rows = re.findall(r'<th scope="row" class="fw-normal">(.*?)</th>(.*?)</tr>', html, flags=re.S)
    return {label: re.findall(r"<td>(.*?)</td>", cells) for label, cells in rows}


def test_the_side_by_side_shows_a_term_only_for_the_bids_it_concerns(procurement):
    evaluation = make_evaluation(procurement, model="both")
    fully = make_bid(evaluation, "Acme", pricing_model="hourly", monthly_fee=None, rate=90, est_hours_per_month=10,
                     retained_internal_cost=Decimal("24000"))  # fmt: skip
    co = make_bid(evaluation, "Bolt", model="co_managed", pricing_model="flat")
    url = f"{reverse('scoring:compare', args=[evaluation.pk])}?bid={fully.pk}&bid={co.pk}"

    rows = _rows(client_for(procurement).get(url).content.decode())

    assert rows["Estimated hours per month"] == ["10 hours", "—"]
    # What a fully managed bid leaves the buyer to pay; a co-managed bid's internal cost is the buyer's own.
    assert rows["Retained internal IT cost per year"] == ["$24,000.00", "—"]
