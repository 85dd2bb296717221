"""Realistic demo data, generated through the same rules as real requests."""
