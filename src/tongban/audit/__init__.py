"""Append-only audit streams, sealed into hash chains with signed checkpoints."""
