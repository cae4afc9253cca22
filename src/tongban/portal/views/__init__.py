"""Portal views, one module per area: pages, auth, my space, firm space."""
