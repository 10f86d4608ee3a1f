"""Errors the repositories raise; each says what the caller can do about it."""


class StorageError(Exception):
    """Base of the errors below."""


class EmailTaken(StorageError):
    """An account with this email address exists already."""


class RecordNotFound(StorageError):
    """No such record, or it belongs to someone else (the two are not told apart)."""


class AttemptFinished(StorageError):
    """The attempt has ended (scenario) or been submitted (quiz); start a new one."""
