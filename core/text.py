"""Names as people mean them: two spellings that look the same are the same name.

``clean_name`` is what is stored: Unicode NFKC (a full-width "Ａcme" is "Acme", a ligature its
letters), format characters removed (zero-width spaces and joiners, the byte order mark, direction
marks: invisible, so never part of a name), every run of white space one space, none at either end.
``name_key`` is what names are compared by: the clean name, case folded ("ACME", "acme" and
"Acme\u200b" are one key).
"""

from __future__ import annotations

import unicodedata


def clean_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", name)
    visible = "".join(char for char in text if unicodedata.category(char) != "Cf")
    return " ".join(visible.split())


def name_key(name: str) -> str:
    return clean_name(name).casefold()
