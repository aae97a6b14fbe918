"""FastAPI routers of the reference service, one per area (create_app includes each)."""
