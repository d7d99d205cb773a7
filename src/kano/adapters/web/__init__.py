"""The web UI: server-rendered pages (Jinja2 + HTMX), in English, Russian and Hungarian."""
