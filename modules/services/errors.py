"""Errors services raise; each message is safe to show to the person who caused it."""


class ServiceError(Exception):
    """Base of the errors a page shows as a message rather than a traceback."""


class PermissionDenied(ServiceError):
    """The actor may not do this."""


class NotFound(ServiceError):
    """No such module, step or record for this actor (or it is hidden because it is broken)."""


class SignedOut(ServiceError):
    """The caller's browser session has ended (signed out, expired) or the account is gone."""


class StorageUnavailable(ServiceError):
    """The database cannot be reached; nothing of the failed use case was kept."""


class InvalidInput(ServiceError):
    """The input does not fit what it is for (a choice not on offer, an empty plan...)."""


DATABASE_DOWN = (
    "The course database cannot be reached right now. Everything you saved before is kept."
    " Please try again in a few minutes."
)
