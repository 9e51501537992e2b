"""The officials' review of what exporters receive (issue 18).

An official may hold back an alert or a whole notification, raise or lower
an alert's level, and add an expert note to a notification; each change is
kept with who, when, why and the value before (``warning.storage.review_actions``).
``edits`` checks and records the changes; ``shaping`` holds the one rule of
what an exporter receives (``received``) and applies it to each kind of row;
``surfaces`` reads the overrides in force for the pages, the JSON API, the
Atom feed, the exports and the calendars (emails apply ``shaping`` in
``notifications.compose``); packages that may not import this one
(``warning.levels``, ``warning.signup``) take ``surfaces.warning_shaper`` from
their caller; ``week`` lists a week's
measures with the exporters they alert and the exports at stake; ``preview``
renders an exporter's email exactly as it will be sent. This package may
import ``warning.storage``, ``warning.types``, ``warning.levels.factors`` and
``notifications``; nothing under ``warning.storage`` imports it.
"""
