from django.http import HttpRequest

from .roles import role_names


def roles(request: HttpRequest) -> dict[str, object]:
    return {"user_roles": role_names(request.user)}
