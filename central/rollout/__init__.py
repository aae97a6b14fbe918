"""Staged catalogue rollout: a verified bundle goes to a pilot group first, then to every terminal."""
