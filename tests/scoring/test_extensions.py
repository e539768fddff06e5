"""The app's own package keys: scope checklists, arrangement, responsibility split, budget."""

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from scoring import services
from scoring.models import Bid, Evaluation, ReferenceCheck
from scoring.package import PackageError, export, loading, loads, parse_package
from vendors import services as vendor_services
from vendors.models import MSP, ClientReference

EXAMPLE = Path(__file__).parent / "packages" / "contract_example.json"


def package(**bid_keys):
    data = json.loads(EXAMPLE.read_text())
    data["evaluation"]["monthly_budget"] = 15000
    data["bids"][0].update(bid_keys)
    return data


def test_it_keeps_every_extension_key_through_export_and_load(admin_user):
    data = package(scope_included=["help-desk", "backup-dr"], scope_excluded=["cabling"])
    data["bids"].append(
        {
            **data["bids"][0],
            "vendor": "Partner IT",
            "model": "co_managed",
            "scope_included": [],
            "scope_excluded": [],
            "arrangement": "after-hours",
            "responsibilities": {"help-desk": "internal", "patching": "shared"},
        }
    )
    first = loading.evaluation_load(package=parse_package(loads(json.dumps(data))), owner=admin_user)
    exported = export.evaluation_export(first)
    assert exported["evaluation"]["monthly_budget"] == 15000
    fully, co = exported["bids"]
    assert (fully["scope_included"], fully["scope_excluded"]) == (["help-desk", "backup-dr"], ["cabling"])
    assert (co["arrangement"], co["responsibilities"]) == (
        "after-hours",
        {"help-desk": "internal", "patching": "shared"},
    )
    second = loading.evaluation_load(package=parse_package(loads(json.dumps(exported))), owner=admin_user)
    assert export.evaluation_export(second)["bids"] == exported["bids"]
    assert Bid.objects.get(evaluation=second, vendor_name="Partner IT").responsibilities["patching"] == "shared"


@pytest.mark.parametrize(
    ("keys", "path"),
    [
        ({"scope_included": ["teleportation"]}, "bids[0].scope_included[0]"),
        ({"scope_excluded": ["help-desk"]}, "bids[0].scope_excluded[0]"),
        ({"arrangement": "outsourced"}, "bids[0].arrangement"),
        ({"responsibilities": {"printing": "msp"}}, "bids[0].responsibilities.printing"),
        ({"responsibilities": {"patching": "both"}}, "bids[0].responsibilities.patching"),
    ],
)
def test_it_refuses_unknown_scope_items_and_owners_with_their_path(keys, path):
    with pytest.raises(PackageError) as refused:
        parse_package(loads(json.dumps(package(**keys))))
    assert any(error.startswith(f"{path}: ") for error in refused.value.errors), refused.value.errors


def test_it_keeps_evidence_expiry_and_reference_checks_so_the_ranking_survives(admin_user):
    # The bid meets hipaa-baa, but its only evidence expired on 2020-01-31: the requirement
    # counts as unmet, so the bid is disqualified; the loaded copy must say the same.
    data = package(
        documents=[
            {
                "kind": "evidence",
                "name": "baa.pdf",
                "size": 1234,
                "sha256": "a" * 64,
                "requirement": "hipaa-baa",
                "expires_on": "2020-01-31",
            }
        ],
        reference_checks=[
            {
                "client": "Westside Pediatrics",
                "checked_on": "2026-11-02",
                "checked_by": "nobody-here",
                "outcome": "positive",
            }
        ],
    )
    first = loading.evaluation_load(package=parse_package(loads(json.dumps(data))), owner=admin_user)
    row = services.stored_ranking(first)["ranking"][0]
    assert (row["status"], row["red_flags"]) == ("disqualified", ["unmet:hipaa-baa"])
    exported = export.evaluation_export(first)
    assert exported["bids"][0]["documents"][0]["expires_on"] == "2020-01-31"
    assert exported["bids"][0]["reference_checks"][0]["client"] == "Westside Pediatrics"
    assert exported["bids"][0]["reference_checks"][0]["checked_by"] == admin_user.username  # unknown user: the owner
    second = loading.evaluation_load(package=parse_package(loads(json.dumps(exported))), owner=admin_user)
    assert services.stored_ranking(second)["ranking"] == services.stored_ranking(first)["ranking"]
    assert export.evaluation_export(second)["bids"] == exported["bids"]


def _checks(*clients: str) -> list[dict]:
    return [{"client": c, "checked_on": "2026-11-02", "checked_by": None, "outcome": "positive"} for c in clients]


def test_reference_checks_reuse_the_msps_references_and_add_each_new_client_once(admin_user):
    data = package(reference_checks=_checks("Westside Pediatrics", "Harbor Dental"))
    first = loading.evaluation_load(package=parse_package(loads(json.dumps(data))), owner=admin_user)
    msp = first.bids.get().msp
    assert sorted(msp.references.values_list("client", flat=True)) == ["Harbor Dental", "Westside Pediatrics"]
    # Created with the import's owner in their history, not checked (the check is the bid's).
    assert set(ClientReference.history.filter(msp=msp).values_list("history_type", "history_user")) == {
        ("+", admin_user.pk)
    }
    assert set(msp.references.values_list("outcome", flat=True)) == {"not_checked"}

    # Another evaluation of the same MSP: the clients it already has (whatever the case) are reused.
    data = package(reference_checks=_checks("WESTSIDE pediatrics", "Coastline Credit Union"))
    data["evaluation"]["title"] = "A second look"
    second = loading.evaluation_load(package=parse_package(loads(json.dumps(data))), owner=admin_user)
    assert sorted(msp.references.values_list("client", flat=True)) == [
        "Coastline Credit Union",
        "Harbor Dental",
        "Westside Pediatrics",
    ]
    westside = msp.references.get(client="Westside Pediatrics")
    assert ReferenceCheck.objects.filter(reference=westside).count() == 2
    assert second.bids.get().reference_checks.count() == 2


def test_reference_checks_of_an_archived_msp_are_refused_and_nothing_is_written(admin_user):
    data = package(reference_checks=_checks("Westside Pediatrics"))
    loading.evaluation_load(package=parse_package(loads(json.dumps(data))), owner=admin_user)
    msp = MSP.objects.get()
    vendor_services.msp_archive(msp=msp, expected_version=msp.version)
    data["evaluation"]["title"] = "After the archive"
    data["bids"][0]["reference_checks"] = _checks("Brand New Clinic")
    before = (Evaluation.objects.count(), ClientReference.objects.count())

    with pytest.raises(ValidationError, match="archived"):
        loading.evaluation_load(package=parse_package(loads(json.dumps(data))), owner=admin_user)

    assert (Evaluation.objects.count(), ClientReference.objects.count()) == before
