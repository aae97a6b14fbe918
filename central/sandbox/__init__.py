"""Simulated back ends of the reference service (payments platform, …): off in production."""
