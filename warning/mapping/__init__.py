"""The analysts' mapping of notifications to products: ICS-to-HS and sector overrides.

Holds the versioned analyst overrides of the shipped ICS-to-HS table and of the zone's
sectors (``mappings``), and the previews that show, before anything is stored, which
notifications would gain or lose a match or a sector and how the evaluation figures would
move (``mapping_preview`` for ICS and sectors, ``rule_preview`` for keyword rules). It may
import ``classifiers``, ``warning.storage`` and the foundations at ``warning/``'s root;
never ``warning.web``, ``warning.service`` or ``notifications``.
"""
