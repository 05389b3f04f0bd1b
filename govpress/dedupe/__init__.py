"""Deduplication: release keys and content hashes (keys), near-duplicate signatures (neardup), versions, and the
name key across scripts that same-event links match on (names; the links themselves: govpress/events.py)."""
