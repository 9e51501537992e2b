"""Tables of the service's job leases (issue 21): one row per lease name.

A lease is held by one ``tbtwarn run`` instance until ``expires_at``; the
holder renews it while it works and deletes it when done. Times are the
database server's clock in seconds since the epoch, so instances on machines
whose clocks disagree still agree on who holds what.
"""

from __future__ import annotations

import sqlalchemy as sa

from warning.storage.schema import metadata

job_leases = sa.Table(
    "job_leases",
    metadata,
    #: ``job:<job id>`` for a scheduled job, ``shared-state`` for the steps that
    #: write shared state (classification, alerts, mail), one at a time.
    sa.Column("name", sa.String(200), primary_key=True),
    #: The instance holding it (``[schedule] instance_name``, or host:pid).
    sa.Column("holder", sa.String(200), nullable=False),
    #: Where the holder runs: an instance on the same host takes over at once
    #: the lease of a process that is gone, instead of waiting for it to lapse.
    sa.Column("host", sa.String(255), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    #: Database clock, epoch seconds.
    sa.Column("acquired_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
)
