"""Playwright against a live server, driving Debian's Chromium (never a downloaded browser).

Without /usr/bin/chromium the browser tests are skipped with a plain message,
unless REQUIRE_BROWSER is set (CI sets it): then a missing browser fails.
A failing test leaves a screenshot in test-artifacts/.

Browser tests need ``django_db(transaction=True)``: the live server sees only
committed data. A transactional test ends by emptying every table, so each one
starts by putting back the rows the data migrations made (groups, specialties,
the question and requirement libraries).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
MISSING = (
    f"Browser tests skipped: Chromium is not installed at {CHROMIUM}. "
    "Install it with `sudo apt-get install chromium` (Debian/Ubuntu) to run them."
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            # Django's live server shares the in-memory SQLite connection between threads and
            # complains when a request thread closes it; pages still answer, and the journeys
            # check what they show.
            item.add_marker(
                pytest.mark.filterwarnings("ignore:Exception in thread:pytest.PytestUnhandledThreadExceptionWarning")
            )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(MISSING.replace("skipped", "required"), pytrace=False)
        pytest.skip(MISSING)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        target = ARTIFACTS / f"{request.node.name}.png"
        page.screenshot(path=str(target), full_page=True)
        print(f"Screenshot of the failure: {target}")
    context.close()
