from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Bid room"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import note_bid_room_user

        user_logged_in.connect(note_bid_room_user, dispatch_uid="portal.note_bid_room_user")
