"""Rendering the SNA reports: template context, HTML (Jinja), tagged PDF (WeasyPrint) and the
comms bundle (index page and a deterministic zip)."""
