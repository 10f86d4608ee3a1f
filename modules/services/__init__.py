"""Use cases: domain + storage + the caller's identity. Authorisation is checked here."""
