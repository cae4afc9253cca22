"""Form definitions (versioned JSON Schema + layout), drafts, prefill and material uploads."""
