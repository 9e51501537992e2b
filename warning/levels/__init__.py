"""How a warning level is computed: from a notification's product matches to an alert.

Holds the matching of a notification's HS codes against an exporter's products
(``matching``), the four factors and what they are made of (``factors``, ``severity``,
``threads`` for a base notification and its addenda, ``deadlines``), the weighted level
itself (``assess``), and the alerting step that writes one alert per exporter and measure
(``alerting``, planned incrementally by ``alert_plan``). It may import ``warning.storage``,
``classifiers.nomenclature`` and the foundations at ``warning/``'s root (types, config,
clock, runtime, members, exceptions); never ``warning.web``, ``warning.service`` or
``notifications``, which build on it.
"""
