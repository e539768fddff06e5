from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = "Evaluations and scoring"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from evaluator import append_only

        from . import signals  # noqa: F401

        # Once per migrate (scoring is migrated last of the apps with history).
        post_migrate.connect(append_only.on_post_migrate, sender=self, dispatch_uid="history_append_only")
