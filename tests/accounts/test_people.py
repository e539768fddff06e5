"""The ``person`` filter: a user's full name, or their username."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.template import Context, Template


def render(user: object, source: str = "{% load people %}[{{ user|person }}]") -> str:
    return Template(source).render(Context({"user": user}))


def test_it_shows_the_full_name() -> None:
    assert render(User(username="ada", first_name="Ada", last_name="Lovelace")) == "[Ada Lovelace]"


def test_it_falls_back_to_the_username() -> None:
    assert render(User(username="ada")) == "[ada]"


def test_it_escapes_the_name() -> None:
    user = User(username="x<y>", first_name="<b>Bold</b>", last_name="& Co")
    assert render(user) == "[&lt;b&gt;Bold&lt;/b&gt; &amp; Co]"
    assert render(User(username="x<y>")) == "[x&lt;y&gt;]"


def test_it_does_not_escape_where_autoescape_is_off() -> None:
    source = "{% load people %}{% autoescape off %}[{{ user|person }}]{% endautoescape %}"
    assert render(User(username="o'brien", first_name="Pat & Co"), source) == "[Pat & Co]"


def test_it_is_empty_for_nobody_so_a_default_can_follow() -> None:
    source = '{% load people %}[{{ user|person|default:"import" }}]'
    assert render(None, source) == "[import]"
    assert render(None) == "[]"
    assert Template("{% load people %}[{{ missing|person }}]").render(Context({})) == "[]"


def test_it_names_the_anonymous_user_by_its_empty_username() -> None:
    assert render(AnonymousUser()) == "[]"


def test_it_renders_as_the_expression_it_replaced() -> None:
    old = "{{ user.get_full_name|default:user.username }}"
    # (For nobody the old expression raised: its default's argument, None.username, does not resolve.)
    for user in (User(username="ada"), User(username="a&b", first_name="Ada", last_name="<L>")):
        assert render(user) == "[" + Template(old).render(Context({"user": user})) + "]"
