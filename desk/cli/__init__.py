"""The ``desk`` command line."""
