"""Hypothesis's two profiles: ``ci`` (``CI`` set, as in ``.ci/run``) tries every property test at full
strength; ``dev``, the default on a developer's machine, tries a quarter as many examples, so that
``make test`` stays quick while CI keeps looking hard. ``HYPOTHESIS_PROFILE=ci make test`` runs CI's.

Each property test says how many examples it wants at full strength through ``examples(n)``.
"""

from __future__ import annotations

import os

from hypothesis import settings

SCALE = {"ci": 1.0, "dev": 0.25}

settings.register_profile("ci", deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
settings.load_profile(PROFILE)


def examples(full: int) -> int:
    """How many examples a test that wants ``full`` of them at full strength tries under this profile."""
    return max(10, round(full * SCALE[PROFILE]))
