"""Public pages: the home page and static information."""
