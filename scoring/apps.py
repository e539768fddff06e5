from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = "Evaluations and scoring"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from core import append_only, revision

        from . import signals  # noqa: F401

        # Once per migrate (scoring is migrated last of the apps with history).
        post_migrate.connect(append_only.on_post_migrate, sender=self, dispatch_uid="history_append_only")
        # Every write moves the data's revision on, which the cached whole pages are keyed by.
        connection_created.connect(revision.watch, dispatch_uid="page_revision_watch")
