"""Digest emails and their delivery."""
