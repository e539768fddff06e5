import pytest


@pytest.mark.django_db
def test_it_answers_ok_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
def test_it_sends_anonymous_users_of_other_pages_to_login(client):
    for path in ["/", "/vendors/", "/vendors/new/", "/accounts/password/", "/admin/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login/" in response["Location"], path
