"""A procurement officer logs in, adds an MSP with a client reference, and finds it with the filter."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from vendors.models import MSP, ClientReference


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_it_adds_an_msp_with_a_reference_and_finds_it(page, live_server, procurement, msp):
    log_in(page, live_server, procurement.username)

    page.get_by_role("link", name="Add an MSP").first.click()
    page.get_by_label("Name").fill("Harbor Light IT")
    page.get_by_label("Website").fill("harborlight.example")
    page.get_by_label("Headquarters").fill("San Pedro, CA")
    page.get_by_label("Offers co-managed IT").check()
    page.get_by_label("Security operations (SOC)").check()
    page.get_by_role("button", name="Add MSP").click()

    expect(page.get_by_role("heading", name="Harbor Light IT")).to_be_visible()
    expect(page.get_by_text("Harbor Light IT was added to the registry.")).to_be_visible()

    page.get_by_role("link", name="Add reference").click()
    page.get_by_label("Client*").fill("Point Fermin Clinic")
    page.get_by_label("Client size (employees)").fill("40")
    page.get_by_label("Checked on").fill("2026-11-02")
    page.get_by_label("Outcome of the check").select_option("positive")
    page.get_by_role("button", name="Save").click()

    references = page.get_by_test_id("references")
    expect(references).to_contain_text("Point Fermin Clinic")
    expect(references).to_contain_text("Positive")

    page.get_by_role("link", name="MSP registry").first.click()
    expect(page.get_by_test_id("result-count")).to_have_text(re.compile(r"2 MSPs"))
    page.get_by_label("Offers").select_option("co_managed")
    page.get_by_label("Search").fill("harbor")
    page.get_by_role("button", name="Filter").click()

    expect(page.get_by_test_id("result-count")).to_have_text(re.compile(r"1 MSP\b"))
    row = page.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Harbor Light IT")
    expect(row).to_contain_text("1 of 1")
    expect(page.get_by_role("cell", name="Acme Managed IT")).to_have_count(0)

    created = MSP.objects.get(name="Harbor Light IT")
    assert created.website == "https://harborlight.example"
    assert created.offers_co_managed and not created.offers_fully_managed
    assert created.history.earliest().history_user == procurement
    assert ClientReference.objects.get(msp=created).checked_by == procurement
