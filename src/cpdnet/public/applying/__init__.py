"""Applying for a place, following applications, and schools releasing their staff."""
