"""Procurement runs a needs assessment, starts the pre-filled evaluation, and records a co-managed
bid with its responsibility split and a document."""

import re

import pytest
from playwright.sync_api import expect

from scoring.models import BidDocument, Evaluation
from tests.browser.test_registry_journey import log_in
from vendors import services as vendor_services

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.mark.django_db(transaction=True)
def test_it_goes_from_needs_assessment_to_a_co_managed_bid_with_a_document(page, live_server, procurement, tmp_path):
    vendor_services.msp_create(name="Partner Desk IT", offers_co_managed=True)
    proposal = tmp_path / "proposal.pdf"
    proposal.write_bytes(PDF)

    log_in(page, live_server, procurement.username)
    page.get_by_role("link", name="Needs assessment").first.click()
    page.get_by_label("Organization").fill("Bayside Dental")
    page.get_by_label("Employees").fill("80")
    page.get_by_label("Devices").fill("95")
    page.locator("#id_it_staff").fill("1")
    page.get_by_label("Internal IT staff cost per year").fill("95000")
    page.get_by_role("textbox", name="Compliance").fill("HIPAA")
    page.get_by_label("Nobody covers nights, weekends and staff holidays").check()
    page.get_by_role("button", name="See the recommendation").click()

    recommendation = page.get_by_test_id("recommendation")
    expect(recommendation).to_contain_text("Recommended: co-managed IT")
    expect(recommendation).to_contain_text("50–100 employees with one IT person")

    page.get_by_role("link", name="Start an evaluation from this").click()
    expect(page.get_by_label("Title")).to_have_value("Managed IT for Bayside Dental")
    expect(page.get_by_label("Model")).to_have_value("co_managed")
    expect(page.get_by_label("Signs a HIPAA business associate agreement")).to_be_checked()
    page.get_by_role("button", name="Create evaluation").click()
    expect(page.get_by_role("heading", name="Managed IT for Bayside Dental")).to_be_visible()

    page.get_by_role("link", name="Record a bid").click()
    page.get_by_label("MSP").select_option(label="Partner Desk IT")
    page.get_by_label("Pricing model").select_option("hourly")
    page.get_by_label("Rate", exact=True).fill("150")
    page.get_by_label("Estimated hours per month").fill("20")
    page.get_by_label("Contract term (months)").fill("12")
    page.get_by_label("Guaranteed critical response (minutes)").fill("30")
    page.get_by_label("References offered").fill("2")
    expect(page.get_by_label("End-user help desk by phone, email or tickets")).to_be_hidden()  # fully managed scope
    page.get_by_label("Co-managed arrangement").select_option("after-hours")
    page.get_by_label("Help desk", exact=True).select_option("internal")
    page.get_by_label("After-hours monitoring").select_option("msp")
    page.get_by_label("Patching").select_option("shared")
    page.get_by_role("button", name="Save bid").click()

    split = page.get_by_test_id("split")
    expect(split.locator("tr", has_text="Patching")).to_contain_text("finger-pointing")
    expect(split.locator("tr", has_text="Projects")).to_contain_text("dropped task")
    expect(page.get_by_test_id("references-unchecked")).to_contain_text("2 references offered, none checked")
    expect(page.get_by_test_id("red-flags")).to_contain_text("unmet:hipaa-baa")

    page.get_by_role("link", name="Add a document").click()
    page.get_by_label("Kind").select_option("proposal")
    page.get_by_label("File").set_input_files(str(proposal))
    page.get_by_role("button", name="Store document").click()
    expect(page.get_by_test_id("documents")).to_contain_text("proposal.pdf")
    expect(page.get_by_text(re.compile(r"proposal\.pdf stored \(SHA-256"))).to_be_visible()

    evaluation = Evaluation.objects.get(title="Managed IT for Bayside Dental")
    bid = evaluation.bids.get()
    assert (evaluation.model, evaluation.employees, bid.arrangement) == ("co_managed", 80, "after-hours")
    assert bid.responsibilities == {"help-desk": "internal", "after-hours-monitoring": "msp", "patching": "shared"}
    assert BidDocument.objects.get(bid=bid).size == len(PDF)
