"""The registry list: filters, sorting, pagination and its query budget."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import client_for
from vendors import services
from vendors.models import MSP, OnsiteAvailability, ReferenceOutcome, Specialty


def make_msp(name: str, **fields: Any) -> MSP:
    fields.setdefault("offers_fully_managed", True)
    return services.msp_create(name=name, **fields)


def listed(client: Client, query: str = "") -> list[str]:
    response = client.get(f"/vendors/{query}")
    assert response.status_code == 200
    return [row.record.name for row in response.context["table"].page.object_list]


@pytest.fixture
def client(evaluator) -> Client:
    return client_for(evaluator)


@pytest.fixture
def registry(db) -> dict[str, MSP]:
    soc = Specialty.objects.get(slug="security-soc")
    azure = Specialty.objects.get(slug="cloud-azure")
    return {
        "pacific": make_msp(
            "Pacific Coast Managed IT",
            headquarters="Los Angeles, CA",
            service_area="Southern California",
            offers_co_managed=True,
            onsite_availability=OnsiteAvailability.SAME_DAY,
            specialties=[soc],
        ),
        "summit": make_msp(
            "Summit Tech Partners",
            headquarters="Irvine, CA",
            service_area="Orange County",
            offers_fully_managed=False,
            offers_co_managed=True,
            onsite_availability=OnsiteAvailability.NEXT_DAY,
            specialties=[azure],
            notes="Gives the internal team its RMM licences.",
        ),
        "valley": make_msp(
            "Valley Network Solutions",
            headquarters="Fresno, CA",
            service_area="Central Valley",
            onsite_availability=OnsiteAvailability.SAME_DAY,
            specialties=[soc, azure],
        ),
    }


# Filters


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?q=pacific", ["Pacific Coast Managed IT"]),
        ("?q=irvine", ["Summit Tech Partners"]),
        ("?q=central+valley", ["Valley Network Solutions"]),
        ("?q=RMM", ["Summit Tech Partners"]),
        ("?q=california+los", ["Pacific Coast Managed IT"]),
        ("?q=nowhere", []),
    ],
)
def test_it_searches_name_location_and_notes(client, registry, query, expected):
    assert sorted(listed(client, query)) == expected


@pytest.mark.parametrize(
    ("offers", "expected"),
    [
        ("fully_managed", ["Pacific Coast Managed IT", "Valley Network Solutions"]),
        ("co_managed", ["Pacific Coast Managed IT", "Summit Tech Partners"]),
        ("both", ["Pacific Coast Managed IT"]),
    ],
)
def test_it_filters_by_model_offered(client, registry, offers, expected):
    assert sorted(listed(client, f"?offers={offers}")) == expected


def test_it_filters_by_specialty(client, registry):
    soc = Specialty.objects.get(slug="security-soc")
    azure = Specialty.objects.get(slug="cloud-azure")

    assert sorted(listed(client, f"?specialty={soc.pk}")) == ["Pacific Coast Managed IT", "Valley Network Solutions"]
    assert sorted(listed(client, f"?specialty={azure.pk}")) == ["Summit Tech Partners", "Valley Network Solutions"]


def test_it_keeps_reference_counts_right_when_filtering_by_specialty(client, registry):
    # The specialty join must not multiply the annotated reference counts.
    valley = registry["valley"]
    services.reference_create(msp=valley, client="Fresno Dental")
    azure = Specialty.objects.get(slug="cloud-azure")

    rows = client.get(f"/vendors/?specialty={azure.pk}&q=valley").context["table"].page.object_list
    (row,) = rows
    assert (row.record.reference_count, row.record.checked_reference_count) == (1, 0)


def test_it_filters_by_onsite_availability(client, registry):
    assert sorted(listed(client, "?onsite_availability=same_day")) == [
        "Pacific Coast Managed IT",
        "Valley Network Solutions",
    ]
    assert listed(client, "?onsite_availability=next_day") == ["Summit Tech Partners"]
    assert listed(client, "?onsite_availability=dedicated") == []


def test_it_combines_filters(client, registry):
    soc = Specialty.objects.get(slug="security-soc")
    assert listed(client, f"?specialty={soc.pk}&offers=both&q=los") == ["Pacific Coast Managed IT"]


def test_it_filters_by_status(client, registry):
    summit = registry["summit"]
    services.msp_archive(msp=summit, expected_version=1)

    assert sorted(listed(client, "?status=")) == ["Pacific Coast Managed IT", "Valley Network Solutions"]
    assert listed(client, "?status=archived") == ["Summit Tech Partners"]
    assert sorted(listed(client, "?status=all")) == [
        "Pacific Coast Managed IT",
        "Summit Tech Partners",
        "Valley Network Solutions",
    ]


def test_it_hides_archived_msps_whenever_a_filter_or_sort_is_given(client, registry):
    services.msp_archive(msp=registry["summit"], expected_version=1)

    assert "Summit Tech Partners" not in listed(client, "?sort=name")
    assert "Summit Tech Partners" not in listed(client, "?q=")


def test_it_hides_archived_msps_from_the_default_list(client, registry):
    services.msp_archive(msp=registry["summit"], expected_version=1)

    assert sorted(listed(client)) == ["Pacific Coast Managed IT", "Valley Network Solutions"]


def test_it_does_not_treat_page_and_sort_as_filters(client, registry):
    assert listed(client, "?page=1&sort=name") == [
        "Pacific Coast Managed IT",
        "Summit Tech Partners",
        "Valley Network Solutions",
    ]


def test_it_ignores_an_unknown_specialty_by_listing_nothing(client, registry):
    # django-filter's strict mode: an invalid filter value gives an empty list, not an error page.
    response = client.get("/vendors/?specialty=999999")
    assert response.status_code == 200
    assert list(response.context["table"].page.object_list) == []
    assert "specialty" in response.context["filter"].errors


# Sorting and pagination


@pytest.fixture
def mixed_case(db) -> None:
    for name in ["gamma IT", "alpha IT", "Beta IT"]:
        make_msp(name)


def test_it_sorts_by_name_ignoring_case(client, mixed_case):
    assert listed(client, "?sort=name") == ["alpha IT", "Beta IT", "gamma IT"]


def test_it_sorts_by_name_descending_ignoring_case(client, mixed_case):
    assert listed(client, "?sort=-name") == ["gamma IT", "Beta IT", "alpha IT"]


def test_it_lists_by_name_ignoring_case_by_default(client, mixed_case):
    assert listed(client) == ["alpha IT", "Beta IT", "gamma IT"]


def test_it_lists_by_name_when_a_filter_is_given(client, mixed_case):
    assert listed(client, "?q=IT") == ["alpha IT", "Beta IT", "gamma IT"]


def test_it_paginates_at_25(client, db):
    for number in range(30):
        make_msp(f"MSP {number:02d}")

    first = client.get("/vendors/?sort=name")
    second = client.get("/vendors/?sort=name&page=2")

    assert len(first.context["table"].page.object_list) == 25
    assert [row.record.name for row in second.context["table"].page.object_list] == [
        f"MSP {number:02d}" for number in range(25, 30)
    ]
    assert second.context["table"].paginator.count == 30


# Query budget


def make_full_msps(count: int, start: int, specialties: list[Specialty]) -> None:
    """MSPs as the registry holds them: specialties, a checked and an unchecked reference."""
    for number in range(start, start + count):
        msp = make_msp(f"Provider {number:03d}", offers_co_managed=True, specialties=specialties)
        services.reference_create(msp=msp, client=f"Client {number}a")
        services.reference_create(
            msp=msp, client=f"Client {number}b", outcome=ReferenceOutcome.POSITIVE, checked_on="2026-01-05"
        )


def count_list_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get("/vendors/?sort=name")
    assert response.status_code == 200
    return len(context.captured_queries)


def test_it_lists_in_a_constant_number_of_queries(procurement, evaluator):
    editor, reader = client_for(procurement), client_for(evaluator)
    specialties = list(Specialty.objects.filter(slug__in=["security-soc", "cloud-azure", "backup-dr"]))

    make_full_msps(5, 0, specialties)
    editor_with_five, reader_with_five = count_list_queries(editor), count_list_queries(reader)
    make_full_msps(195, 5, specialties)
    editor_with_200, reader_with_200 = count_list_queries(editor), count_list_queries(reader)

    # 1. session
    # 2. user
    # 3. COUNT of the filtered MSPs, for the table's paginator
    # 4. the user's groups, once, shared by the "can edit" rule and the role badges
    # 5. specialties, for the filter form's choices
    # 6. the page of MSPs with reference counts annotated
    # 7. prefetch of the page's specialties
    # 8. the navbar's count of unread notifications
    assert editor_with_five == editor_with_200 == 8
    # A reader fails the rules check, so ModelBackend is asked too: after 5, the user's own
    # permissions and the permissions of the user's groups.
    assert reader_with_five == reader_with_200 == 10


def test_it_shows_reference_counts_from_the_annotation(procurement, db):
    make_full_msps(1, 0, [])
    response = client_for(procurement).get("/vendors/")

    (row,) = response.context["table"].page.object_list
    assert (row.record.reference_count, row.record.checked_reference_count) == (2, 1)
    assert "1 of 2" in response.text
