"""Good/bad reviews (好差评): ratings of cases, window visits and appointments, rectification
tickets for the two lowest levels with their escalation, and public satisfaction aggregates."""
