"""The pure rules of the service desk: no database, no UI, no wall clock.

Each module holds one kind of rule (the catalogue, who may use what, quotas and when a
use counts, the service period, the working calendar and the SLA clock, the checks of a
request's details, identity and masking). Times, calendars and facts come in as
arguments, so every rule tests in microseconds and every channel obeys the same ones.
"""
