"""What every page builder returns: a dataclass whose fields are the template's context."""

from __future__ import annotations

import dataclasses
from typing import Any


class Page:
    """Base of the page dataclasses: ``context()`` hands the fields to the template by name."""

    def context(self) -> dict[str, Any]:
        # Not dataclasses.asdict: it deep-copies, and the fields hold model instances and forms.
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}
