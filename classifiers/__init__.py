"""Classifiers: map notifications to HS products and sectors."""
