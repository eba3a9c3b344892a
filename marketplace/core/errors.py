"""A small exception hierarchy whose instances reach people on purpose.

Views and services raise these; the app's error handlers turn them into a Vietnamese page or a
typed JSON error ``{"error": {"type", "code", "message", "param"}}`` depending on the request.
"""

from __future__ import annotations


class AppError(Exception):
    """Base: an error meant for the person or client that caused it."""

    status = 400
    type = "invalid_request_error"
    code = "invalid_request"

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.param = param
        if code:
            self.code = code

    def to_dict(self) -> dict[str, dict[str, str | None]]:
        """The API's error body."""
        return {
            "error": {
                "type": self.type,
                "code": self.code,
                "message": self.message,
                "param": self.param,
            }
        }


class ValidationError(AppError):
    """Input that breaks a rule; ``param`` names the field."""

    code = "parameter_invalid"


class NotFound(AppError):
    """No such object."""

    status = 404
    code = "resource_missing"


class Conflict(AppError):
    """The request collides with the current state."""

    status = 409
    code = "conflict"
