"""gunicorn settings for the web process (docker-compose.yml and the page benchmark use
them): `gunicorn upr_tracker.wsgi --config python:upr_tracker.gunicorn_conf`."""

workers = 3

# The pages most visitors open first: compiled once per worker at start.
FIRST_TEMPLATES = [
    "home.html",
    "recommendations/list.html",
    "recommendations/detail.html",
    "recommendations/theme.html",
    "includes/facets.html",
]


def post_worker_init(worker):
    """Each worker does before its first visitor what that visitor would otherwise wait
    for: importing every view (the URL configuration, about 0.3 s), compiling the first
    pages' templates and loading the facet index (about 0.1 s at 300,000
    recommendations, more when several workers start at once)."""
    from django.db import connections
    from django.template.loader import get_template
    from django.urls import get_resolver

    from recommendations import facet_index

    get_resolver().url_patterns  # noqa: B018 - imports the URL configuration's modules
    for name in FIRST_TEMPLATES:
        get_template(name)
    try:
        facet_index.current()
    finally:
        connections.close_all()
