"""The web app: staff pages, JSON API, feeds."""
