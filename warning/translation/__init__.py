"""Translation: every notification's title, description and products in Chinese and English.

This package holds the ``Translator`` protocol (``base.py``) and one adapter
per file, registered by engine name in ``registry.py`` (``none``,
``libretranslate``, ``openai``); the glossary of term pairs the engines are
given and the check that refuses garbage answers (``glossary.py``); the
pipeline step that translates what is stored and not yet translated
(``step.py``); the structured parts that are translated from our own data
with no engine (``structured.py``: member names, objectives, HS and ICS
titles, dates); and the display API that emails and pages call
(``display.py``: a notification's text in a reader's language, flagged
original, machine or reviewed). It may import ``warning.types``,
``warning.config``, ``warning.exceptions``, ``warning.members``,
``warning.runtime``, ``warning.storage`` and ``classifiers`` (the HS
nomenclature and glossary data); nothing here imports ``notifications`` or
``warning.web``, which import it.
"""
