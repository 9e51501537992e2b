"""Log output: readable text, or one JSON object a line (``[logging] format``)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys

from warning.config import LoggingConfig

# Attributes every LogRecord has; anything else was passed in ``extra``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message and the extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def configure_logging(config: LoggingConfig) -> None:
    """Send logs to standard error in the configured format and level."""
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name("tbtwarn")
    if config.format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    # Replace our own handler only: a host (pytest, an embedding app) keeps its own.
    for old in list(root.handlers):
        if old.get_name() == "tbtwarn":
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(config.level)
    # Migrations and every scheduler tick are noise at INFO.
    for name in ("alembic", "apscheduler.executors", "apscheduler.scheduler"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
