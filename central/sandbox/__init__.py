"""Simulated back ends of the sandbox (authorities, payment, …); off in production."""
