"""The verifiable record: canonical JSON and its SHA-256, for the package and the ranking.

Canonical means: keys sorted, no insignificant whitespace, UTF-8, and every
number in one fixed form (integers as integers; other numbers rounded to 6
decimal places, then written in Python's shortest round-trip form). The same
document always gives the same bytes, so the digest can be quoted in a board
minute and recomputed by anyone with the documents.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

NUMBER_PLACES = 6


def _fixed(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, float):
        rounded = round(value, NUMBER_PLACES)
        return int(rounded) if rounded.is_integer() else rounded
    if isinstance(value, dict):
        return {str(key): _fixed(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_fixed(item) for item in value]
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def canonical(document: Any) -> bytes:
    return json.dumps(_fixed(document), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(document: Any) -> str:
    return hashlib.sha256(canonical(document)).hexdigest()
