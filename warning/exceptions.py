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


class UnknownExporterError(TbtError, ValueError):
    """A command named an exporter that is not in the register."""


class SubscriptionError(TbtError, ValueError):
    """A subscription does not exist or a requested change is invalid."""


class ReviewError(TbtError):
    """A weekly digest cannot be approved or sent in its current review state."""


class TransportUnavailable(DeliveryError):
    """The mail server cannot be reached at all; the rest of the batch waits."""


class DeliveryUncertain(DeliveryError):
    """The connection broke after the message data was sent: it may have arrived."""


class JobInterrupted(TbtError):
    """A scheduled job stopped early because the service is stopping."""


class BackupError(TbtError):
    """A backup could not be made (or not by this command, e.g. on PostgreSQL)."""


class MappingError(TbtError, ValueError):
    """An analyst's change to the ICS mapping or the sectors is malformed or refers to nothing."""


class InstanceRunning(TbtError):
    """Another ``tbtwarn run`` already uses this SQLite database (SQLite is single-instance)."""
