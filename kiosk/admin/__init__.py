"""Technician side: maintenance PIN and lockout, audit log."""
