"""FastAPI routers, one per area (create_app includes each)."""
