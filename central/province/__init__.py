"""Forwarding 好差评 to the provincial platform: mapping to its codes (only here), the durable
forwarding queue, the HTTP client, and the daily reconciliation."""
