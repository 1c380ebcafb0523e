"""The web interface: views, templates, static files (all vendored)."""
