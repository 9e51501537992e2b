"""One exception tree for the service.

Bad input also inherits the builtin :class:`ValueError`, so callers that only
know the standard library can still catch it.
"""


class TbtError(Exception):
    """Base of every error the service raises on purpose."""


class ConfigError(TbtError, ValueError):
    """The configuration file is missing or invalid; the message names the key."""


class SymbolError(TbtError, ValueError):
    """A WTO document symbol could not be parsed."""


class RecordError(TbtError, ValueError):
    """A source record is malformed; the message names the field at fault."""


class SourceError(TbtError):
    """A source could not be fetched (network, HTTP status, unreadable file)."""


class ImportFileError(TbtError, ValueError):
    """A CSV file for the register has bad rows; nothing was imported."""


class DeliveryError(TbtError):
    """An email could not be delivered; ``permanent`` says a retry cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class JobInterrupted(TbtError):
    """A scheduled job stopped early because the service is stopping."""


class BackupError(TbtError):
    """A backup could not be made (or not by this command, e.g. on PostgreSQL)."""
