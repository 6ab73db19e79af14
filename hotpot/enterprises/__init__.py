"""Enterprises (企业): registration by producers, verification by the committee, the public directory."""
