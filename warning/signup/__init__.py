"""Exporters signing themselves up, and the choices they make.

What it holds: the unified social credit code check (``credit_code``), the
product and market pickers over the HS nomenclature, our glossary and the WTO
members (``pickers``), the validation of a contact's markets and HS prefixes
shared by the sign-up form, the subscriptions page, the CLI and the CSV import
(``choices``), the application's life (submit, verify, approve, ask for
changes, reject: ``applications``), its emails (``emails``), and the
"alerts you would have received" preview of a subscription (``preview``).

What it may import: the foundations at ``warning/``'s root (types, members,
clock, tokens, exceptions, runtime), ``warning.storage``,
``warning.levels.matching``, ``classifiers`` (nomenclature, glossary) and
``notifications`` (message building, subscriptions). Never ``warning.web``:
the pages import this package, not the other way round.
"""
