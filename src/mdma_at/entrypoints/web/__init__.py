"""Server-rendered pages (Jinja2 + htmx), for the people in the clinic."""
