"""Templates hold no domain rules: no choice values written as strings, no repeated name rule.

A choice is read through the model (``evaluation.is_awarded``), a filter (``row|is_ranked``,
``row.model|model_name``) or a value the page passes, so renaming a choice or a rule changes
one place. A person is named with ``{{ user|person }}``.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"

# An {% if %} or {% elif %} comparing something with a string written in the template.
STRING_COMPARISON = re.compile(r"""\{%-?\s*(?:el)?if\b[^%]*?(?:==|!=)\s*["'][^%]*?%\}""")

# Comparisons left on purpose, each with its reason. Not choice values of a model; the ones
# marked "to do" wait for a property on a class this pass did not own. Remove an entry when
# its template stops needing it (the test fails on an entry that no longer occurs).
ALLOWED = {
    # The active menu entry: the URL namespace, not a domain value.
    ("base.html", "{% if section == 'home' %}"): "URL namespace",
    ("base.html", "{% if section == 'scoring' %}"): "URL namespace",
    ("base.html", "{% if section == 'vendors' %}"): "URL namespace",
    ("base.html", "{% if section == 'portal' %}"): "URL namespace",
    # A form field's name, to size the search box.
    ("vendors/msp_list.html", "{% if field.name == 'q' %}"): "form field name",
}


def templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.is_file() and p.suffix in {".html", ".txt"})


def string_comparisons() -> set[tuple[str, str]]:
    found = set()
    for path in templates():
        for tag in STRING_COMPARISON.findall(path.read_text()):
            found.add((path.relative_to(TEMPLATES).as_posix(), tag))
    return found


def test_it_finds_a_string_comparison() -> None:
    source = "<b>{% if evaluation.status == \"awarded\" %}x{% elif bid.model != 'co_managed' %}y{% endif %}</b>"
    assert STRING_COMPARISON.findall(source) == [
        '{% if evaluation.status == "awarded" %}',
        "{% elif bid.model != 'co_managed' %}",
    ]
    assert not STRING_COMPARISON.findall("{% if evaluation.is_awarded %}{{ a == 'b' }}{% endif %}")


def test_it_scans_the_templates() -> None:
    assert len(templates()) > 50


def test_no_template_compares_with_a_string() -> None:
    unexpected = sorted(string_comparisons() - set(ALLOWED))
    assert not unexpected, "read the choice through the model or a filter instead:\n" + "\n".join(
        f"{path}: {tag}" for path, tag in unexpected
    )


def test_every_allowed_comparison_still_occurs() -> None:
    gone = sorted(set(ALLOWED) - string_comparisons())
    assert not gone, "remove these from ALLOWED:\n" + "\n".join(f"{path}: {tag}" for path, tag in gone)


def test_no_template_spells_out_full_name_or_username() -> None:
    spelled = [
        path.relative_to(TEMPLATES).as_posix()
        for path in templates()
        if re.search(r"get_full_name\s*\|\s*default", path.read_text())
    ]
    assert not spelled, f"use {{{{ user|person }}}} in: {', '.join(spelled)}"


def test_no_bid_page_restates_a_price_formula() -> None:
    # The formula in words is ``Bid.price_formula`` (from ``ranking.price_formula``).
    for path in templates():
        assert "pricing_model ==" not in path.read_text(), path
