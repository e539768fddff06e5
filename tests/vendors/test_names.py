"""Names that look the same are the same name: one MSP however its name is spelled, through the form,
the service and a package (``core.text``)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.text import clean_name, name_key
from scoring.package import vendor_key
from tests.conftest import client_for
from vendors import services
from vendors.models import MSP

from .conftest import msp_data

ZERO_WIDTH_SPACE, ZERO_WIDTH_JOINER, BOM, LEFT_TO_RIGHT = "\u200b", "\u200d", "\ufeff", "\u200e"

# The same name as "Acme Managed IT", however it is written.
LOOK_ALIKES = [
    f"Acme{ZERO_WIDTH_SPACE} Managed IT",
    f"{BOM}Acme Managed{ZERO_WIDTH_JOINER} IT{LEFT_TO_RIGHT}",
    "Ａｃｍｅ Managed IT",  # full-width letters
    "ACME\u00a0MANAGED\tIT",  # a no-break space and a tab
]


@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_look_alike_names_have_one_key(name):
    assert name_key(name) == "acme managed it" == vendor_key(name)
    assert clean_name(name).casefold() == "acme managed it"


def test_a_clean_name_keeps_its_letters_and_case():
    assert clean_name("  Café\u200b  Ligne ﬁne  ") == "Café Ligne fine"  # the "ﬁ" ligature is two letters


@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_renaming_an_msp_to_a_look_alike_is_refused_on_the_form(procurement, msp, other_msp, name):
    response = client_for(procurement).post(f"/vendors/{other_msp.pk}/edit/", msp_data(other_msp, name=name))

    assert response.status_code == 200
    assert "is already in the registry" in response.content.decode()
    other_msp.refresh_from_db()
    assert other_msp.name == "Summit Tech Partners"


@pytest.mark.parametrize("name", LOOK_ALIKES)
def test_the_service_refuses_a_look_alike_too(msp, name):
    with pytest.raises(ValidationError) as refused:
        services.msp_create(name=name, offers_fully_managed=True)

    assert "name" in refused.value.message_dict
    assert MSP.objects.count() == 1


def test_a_new_name_is_stored_clean(procurement):
    client_for(procurement).post("/vendors/new/", msp_data(name=f"Bright{ZERO_WIDTH_SPACE}water  IT"))

    assert list(MSP.objects.values_list("name", flat=True)) == ["Brightwater IT"]
