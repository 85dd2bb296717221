"""Repositories: the only code that touches a session or SQL. One module per aggregate."""
