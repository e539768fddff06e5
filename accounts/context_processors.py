from django.http import HttpRequest

from .roles import is_msp_user, role_names


def roles(request: HttpRequest) -> dict[str, object]:
    match = getattr(request, "resolver_match", None)  # None on a page answered before the URL resolved
    section = (match.namespace or match.url_name) if match is not None else ""
    return {"user_roles": role_names(request.user), "bid_room_user": is_msp_user(request.user), "nav_section": section}
