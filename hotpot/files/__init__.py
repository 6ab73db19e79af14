"""Uploaded files, kept as bytes in PostgreSQL."""
