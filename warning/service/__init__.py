"""The long-running service: ``tbtwarn run`` and its scheduled jobs.

Holds the daemon (``daemon``: the web app, the scheduler and signal handling in one
process), the scheduler (``scheduler``: cron times in the zone's time zone, missed runs
made up once), the jobs themselves (``jobs``: collect, classify, alert, compose, deliver,
each under a lock and recorded in ``job_runs``), the health report (``health``) and the
SQLite backup (``backup``), and ``early_stop`` (a SIGTERM during start-up noted
from the console script's first line, a standard-library module the CLI imports
before anything slow). As the top of the stack it may import anything: the pipeline
steps, ``warning.levels``, ``warning.storage``, ``notifications`` and ``warning.web``.
Nothing below it imports it.
"""
