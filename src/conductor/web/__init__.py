"""The console (server-rendered pages with htmx) and the REST API under /api/v1."""
