"""Offline sync's storage side: which tables travel, how a change is read and applied.

The capture triggers (migration 0008) record each write to a synced table as a
``sync_change`` row; this package turns those rows back into typed values and applies
them to another database. What a change means for the business (a provisional filing to
confirm against the quota) is decided above, in ``desk.use_cases.sync``.
"""
