"""View guards: a login, then one check on the person, else 403."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from .models import Role


def requires(check: Callable[[Any], bool]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: the view needs a login for which ``check(current_user)`` holds."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        @login_required
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


#: the platform's own business (users, fees): admins only
admin_only = requires(lambda user: user.role == Role.ADMIN)
#: pages that act for one producer: a producer login
producer_only = requires(lambda user: user.role == Role.PRODUCER and user.producer_id is not None)
