"""The settings of the test run: production's (``evaluator.settings``), with what a test run needs on top.

Everything else a test run changes comes from the environment (``[tool.pytest.ini_options] env``).
"""

import os

from evaluator.settings import *  # noqa: F403
from evaluator.settings import PRIVATE_MEDIA_ROOT

# The production hasher takes a noticeable fraction of a second per password on purpose; every
# role fixture sets one and every login checks one. Tests of the hasher itself would set it back.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Under pytest-xdist each worker is a process of its own: it gets its own folder of uploaded
# documents, so that a test counting the files there never sees another worker's.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    PRIVATE_MEDIA_ROOT = PRIVATE_MEDIA_ROOT / worker

# Django's test client builds its middleware for each new client, and WhiteNoise, serving the
# static files from where the finders find them (WHITENOISE_USE_FINDERS), would read every static
# file's headers each time: about a third of a typical test. Looking a file up when it is asked
# for (WhiteNoise's development mode) serves the same files.
WHITENOISE_AUTOREFRESH = True
