"""Applications and cases (办件): lifecycle, working-day deadlines, supplements, decisions."""
