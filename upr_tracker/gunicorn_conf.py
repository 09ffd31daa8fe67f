"""gunicorn settings for the web process (docker-compose.yml and the page benchmark use
them): `gunicorn upr_tracker.wsgi --config python:upr_tracker.gunicorn_conf`."""

workers = 3


def post_worker_init(worker):
    """Each worker loads the facet index before its first visitor, rather than making
    that visitor wait for it (about 0.1 s at 300,000 recommendations, more when several
    workers start at once)."""
    from django.db import connections

    from recommendations import facet_index

    try:
        facet_index.current()
    finally:
        connections.close_all()
