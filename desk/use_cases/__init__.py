"""The use cases: each opens (or is handed) a unit of work, asks the rules, and writes.

Entry points (the screens, the command line, imports) call these; the rules they apply
live in ``desk.rules``.
"""
