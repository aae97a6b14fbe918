"""Reference central service ("sandbox"): the executable form of the central API contract."""
