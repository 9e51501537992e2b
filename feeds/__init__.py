"""Collectors: one adapter per source kind, behind the Source protocol."""
