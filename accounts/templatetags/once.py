"""``{% once_key %}``: the hidden one-time key that makes a form's sending count once (``accounts.submissions``)."""

from __future__ import annotations

import uuid

from django import template
from django.utils.html import format_html

from accounts.submissions import FIELD, key_of

register = template.Library()


@register.simple_tag(takes_context=True)
def once_key(context: template.Context) -> str:
    """A new key for a new form; the sent one for a form shown again with its errors."""
    request = context.get("request")
    key = key_of(request) if request is not None and request.method == "POST" else None
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, key or uuid.uuid4())
