"""The service catalogue: service items (事项) and their published versions, materials, topics."""
