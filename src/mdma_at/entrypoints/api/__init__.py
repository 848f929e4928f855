"""The FastAPI application: JSON API under /api and the server-rendered pages."""
