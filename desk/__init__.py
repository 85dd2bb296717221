"""desk: the domain (benefit rules, quota ledger, SLA clock, use cases, CLI)."""
