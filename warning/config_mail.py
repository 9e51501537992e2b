"""The mail sections of ``config.toml``: ``[delivery]`` (how emails leave the
outbox), ``[smtp]`` (the relay, its limits and crash settlement) and
``[digest]`` (who gets digests, how long their links work, how long they are).
Re-exported by :mod:`warning.config`; imports only :mod:`warning.config_fields`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from warning.config_fields import Strict


class DeliveryConfig(Strict):
    """How emails leave the outbox."""

    #: ``outbox`` writes .eml files into ``outbox_dir``; ``smtp`` sends through ``[smtp]``.
    transport: Literal["outbox", "smtp"] = "outbox"
    outbox_dir: Path = Path("var/outbox")
    sender: str = "TBT Early Warning <tbt-warning@localhost>"


class SmtpConfig(Strict):
    """The SMTP relay used by ``transport = "smtp"`` (one connection reused for a run)."""

    host: str = "127.0.0.1"
    port: int = Field(default=25, ge=1, le=65535)
    #: ``none`` (plain), ``starttls`` (upgrade after connecting) or ``tls`` (implicit TLS).
    security: Literal["none", "starttls", "tls"] = "none"
    #: CA bundle to verify the relay's certificate (an internal CA); default: the system's.
    ca_file: Path | None = None
    username: str | None = None
    #: Name of the environment variable holding the password (never the password).
    password_env: str | None = None
    #: Envelope sender (MAIL FROM); empty: the address of ``[delivery] sender``.
    sender: str = ""
    #: Messages per second at most (per connection); 0 means no limit.
    rate_per_second: float = Field(default=10.0, ge=0)
    #: Connections used side by side (each reused for the whole run).
    connections: int = Field(default=4, ge=1, le=32)
    #: Messages claimed per transaction (the next batch is claimed while the
    #: connections send). Each message is recorded sent as soon as it is
    #: delivered, so a crash leaves at most one delivered-but-unrecorded message
    #: per connection (README, "Delivery guarantee"), whatever the batch size.
    batch_size: int = Field(default=10, ge=1, le=1000)
    timeout_seconds: float = Field(default=30.0, gt=0)
    #: Attempts per message for temporary failures (4xx, connection errors).
    retries: int = Field(default=3, ge=1)
    #: First back-off delay; doubles at each retry.
    backoff_seconds: float = Field(default=2.0, ge=0)
    #: A message claimed by a run that died is decided again after this long.
    lease_seconds: int = Field(default=600, ge=1)
    #: A file where the receiving server logs ``message-id=<...>`` of what it accepted
    #: (Postfix's mail log does); used to settle messages a crash left undecided.
    received_log: Path | None = None
    #: What to do with an undecided message the log cannot settle: ``resend``
    #: (at least once; the stable Message-ID lets mail clients drop a copy) or ``hold``.
    on_uncertain: Literal["resend", "hold"] = "resend"


class DigestConfig(Strict):
    """Digests: who reviews and receives the weekly digest, how long links work."""

    #: Exporters' weekly digests wait until an official approves the week's digest.
    review_required: bool = False
    #: Trade officials who receive the weekly digest.
    officials: list[str] = Field(default_factory=list)
    #: Days that feedback links in emails stay valid (unsubscribe links: a year).
    link_valid_days: int = Field(default=90, ge=1)
    #: Alerts shown in full in one exporter's email, the most urgent first; the
    #: rest are listed one line each (0: all in full). A catch-up digest of a
    #: hundred alerts is unreadable, and mail clients clip long messages
    #: (Gmail at 102 KB), hiding what comes last.
    full_items: int = Field(default=20, ge=0)
    #: Alerts listed one line each after those in full; any more are counted,
    #: with a link to the contact's alerts page (all are on it).
    brief_items: int = Field(default=80, ge=0)
