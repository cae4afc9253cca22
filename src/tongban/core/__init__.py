"""Shared kernel: clock, validators, errors, masking, languages and the signing-key ring."""
