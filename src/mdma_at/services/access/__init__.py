"""Staff and access: sites, accounts, signing in, API tokens."""
