from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = "Evaluations and scoring"

    def ready(self) -> None:
        from . import signals  # noqa: F401
