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


class ReviewEditError(ReviewError, ValueError):
    """An official's review change that cannot be made (no reason given, unknown alert...).

    ``key`` names the message in the web app's catalogue, so a page says it in
    the official's language; the exception's text is the English one.
    """

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


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


class ApplicationError(TbtError, ValueError):
    """A sign-up link or an official's decision cannot be used on an application.

    ``key`` names the reason for the pages' catalogue (``link_used``,
    ``link_expired``, ``link_invalid``, ``not_pending``, ``no_application``,
    ``note_required``).
    """

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class TranslationError(TbtError):
    """A translation engine could not translate a batch: down, refusing, or
    answering something unusable (``garbage``); the text stays untranslated
    and is tried again on a later run."""

    def __init__(self, message: str, *, garbage: bool = False) -> None:
        super().__init__(message)
        self.garbage = garbage


class ResponseError(TbtError):
    """Something that cannot be done to a measure's response file (issue 19).

    ``key`` names the message in the web app's catalogue (``warning/web/i18n_responses.py``)
    and ``params`` fill it, so a page says it in the reader's language; the
    exception's text is the English one.
    """

    def __init__(self, key: str, message: str, **params: str) -> None:
        super().__init__(message)
        self.key = key
        self.params = params


class ResponseTransitionError(ResponseError, ValueError):
    """A status change the response file's life does not allow (sent -> drafting,
    closing without a reason, an unknown status...)."""


class ConcernInputError(ResponseError, ValueError):
    """A concern, full-text request or STC mark with a bad field; ``params["field"]`` names it."""


class AttachmentError(ConcernInputError):
    """An uploaded file refused: not an allowed type by its content, too large, too many;
    ``params["filename"]`` names the file."""
