from accounts.roles import Role


def current_roles(request) -> dict:
    user = getattr(request, "user", None)
    roles = user.roles if user is not None and user.is_authenticated else frozenset()
    return {"my_roles": roles, "Role": Role}
