"""FastAPI routers of the central service, one module per area."""
