"""People, firms, delegated powers, staff and their roles, login and verification levels."""
