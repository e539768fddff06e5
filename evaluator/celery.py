"""The Celery application.

Settings live in Django's settings under the ``CELERY_`` namespace. With no
``CELERY_BROKER_URL`` tasks run eagerly in-process, so a laptop needs no broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evaluator.settings")

app = Celery("evaluator")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
