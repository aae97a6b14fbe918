"""Face capture, quality gate, liveness challenge and the 人证比对 step of a session."""
