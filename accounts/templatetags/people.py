"""How the templates name a person."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def person(user: object) -> str:
    """The user's full name, or their username when they gave none; empty for nobody."""
    if user is None or user == "":
        return ""
    full_name = getattr(user, "get_full_name", None)
    return (full_name() if full_name else "") or user.get_username()
