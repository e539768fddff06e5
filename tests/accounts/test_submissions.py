"""A form sent twice does its work once (``accounts.submissions``): the same one-time key sent again is
led where the first sending led, with a word saying so; a form shown again with its errors gives its
key back; every create form carries a key."""

from __future__ import annotations

import re
import uuid

import pytest

from accounts.models import FormSubmission
from accounts.submissions import ALREADY_SENT
from scoring.models import Evaluation
from tests.conftest import client_for
from tests.scoring.factories import evaluation_form_data
from tests.vendors.conftest import msp_data
from vendors.models import MSP


def key_on(page: str) -> str:
    found = re.findall(r'<input type="hidden" name="once" value="([0-9a-f-]{36})">', page)
    assert len(found) == 1, found
    return found[0]


def test_a_new_evaluation_sent_twice_is_created_once(procurement):
    client = client_for(procurement)
    key = key_on(client.get("/evaluations/new/").content.decode())
    data = {**evaluation_form_data(), "once": key}

    first = client.post("/evaluations/new/", data)
    second = client.post("/evaluations/new/", data, follow=True)

    assert Evaluation.objects.count() == 1
    evaluation = Evaluation.objects.get()
    assert first["Location"] == evaluation.get_absolute_url()
    assert second.redirect_chain == [(evaluation.get_absolute_url(), 302)]
    assert ALREADY_SENT in second.content.decode()
    assert FormSubmission.objects.get().location == evaluation.get_absolute_url()


def test_an_msp_added_twice_is_added_once_with_no_duplicate_error(procurement):
    client = client_for(procurement)
    data = {**msp_data(), "once": key_on(client.get("/vendors/new/").content.decode())}

    client.post("/vendors/new/", data)
    second = client.post("/vendors/new/", data, follow=True)

    assert list(MSP.objects.values_list("name", flat=True)) == ["Brightwater IT"]
    page = second.content.decode()
    assert "already in the registry" not in page
    assert ALREADY_SENT in page


def test_a_form_shown_again_with_errors_keeps_its_key_for_the_corrected_sending(procurement):
    client = client_for(procurement)
    key = key_on(client.get("/vendors/new/").content.decode())

    refused = client.post("/vendors/new/", {**msp_data(name=""), "once": key})
    assert refused.status_code == 200
    assert key_on(refused.content.decode()) == key  # the page sends the same key again
    assert FormSubmission.objects.count() == 0

    corrected = client.post("/vendors/new/", {**msp_data(), "once": key})
    assert corrected.status_code == 302
    assert MSP.objects.count() == 1


def test_two_people_never_share_a_key(procurement, admin_user):
    key = str(uuid.uuid4())
    client_for(procurement).post("/vendors/new/", {**msp_data(), "once": key})

    # Someone else's post with that key is theirs: done (here refused as a duplicate name, shown on the form).
    response = client_for(admin_user).post("/vendors/new/", {**msp_data(), "once": key})

    assert response.status_code == 200
    assert "already in the registry" in response.content.decode()


def test_each_new_page_gets_a_new_key(procurement):
    client = client_for(procurement)
    assert key_on(client.get("/evaluations/new/").content.decode()) != key_on(
        client.get("/evaluations/new/").content.decode()
    )


@pytest.mark.parametrize(
    "path", ["/evaluations/new/", "/vendors/new/", "/evaluations/import/", "/evaluations/assessments/new/"]
)
def test_the_create_forms_carry_a_key(procurement, path):
    key_on(client_for(procurement).get(path).content.decode())
