"""APIRouters of the reference service, one per area."""
