"""Accounts, roles, sessions, API tokens and login rate limits."""
