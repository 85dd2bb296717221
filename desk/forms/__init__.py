"""The request forms as data: which fields each service asks for, and reading what was typed."""
