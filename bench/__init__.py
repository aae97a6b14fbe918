"""Benchmarks: one bench_<topic>.py per topic with run() -> dict; `python -m bench` runs all."""
