"""What a mapping change would do to exporters, before it is saved.

The rule and ICS previews (``warning.mapping.rule_preview``, ``warning.mapping.mapping_preview``) find the
stored notifications whose product matches a change alters; :mod:`.exporters` turns the
matches before and after into the exporters whose alert would appear, disappear or change
level. It may import the classifier's types, the alerting step's assessment and storage;
nothing here writes.
"""
