"""Deduplication: release keys and content hashes (keys), near-duplicate signatures (neardup)."""
