"""The ``tbtwarn`` command line."""
