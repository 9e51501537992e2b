"""What a mapping change would do to exporters, before it is saved.

The rule and ICS previews (``warning.mapping.rule_preview``, ``warning.mapping.mapping_preview``) find the
stored notifications whose product matches a change alters; :mod:`.exporters` turns the
matches before and after into the exporters whose alert would appear, disappear or change
level; :mod:`.sector_effects` does the same for a sector change, which moves no level
but changes which alerts the contacts' subscriptions let through. It may import the
classifier's types, the alerting step's assessment, the subscriptions' filter
(``notifications.subscriptions.wants``) and storage; nothing here writes.
"""
