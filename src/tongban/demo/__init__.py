"""The demo city: agencies, centres, residents, a foreign-invested firm and its staff, officers."""
