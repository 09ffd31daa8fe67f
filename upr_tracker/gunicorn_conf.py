"""gunicorn settings for the web process (docker-compose.yml and the page benchmark use
them): `gunicorn upr_tracker.wsgi --config python:upr_tracker.gunicorn_conf`."""

import gc

workers = 3
# The master imports the application once and the workers are forked from it: a worker
# is ready in a fraction of a second instead of importing Django again (about 1.5 s), and
# the workers share the imported code's memory. (Code changes need a restart.)
preload_app = True

# The pages most visitors open first: compiled once, in the master, before the fork.
FIRST_TEMPLATES = [
    "home.html",
    "recommendations/list.html",
    "recommendations/detail.html",
    "recommendations/theme.html",
    "includes/facets.html",
]


def on_starting(server):
    """Before the port opens and the workers fork (the application is already imported):
    what every worker's first visitor would otherwise wait for, done once. Importing every
    view through the URL configuration took about 0.3 s of a first request."""
    from django.conf import settings
    from django.db import connections
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 - imports the URL configuration's modules
    for name in FIRST_TEMPLATES:
        get_template(name)
    # Each language's catalogue, and its map from view names to addresses (the URL
    # configuration keeps one per language, built on the first link made in it).
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Recommendations")
            get_resolver().reverse_dict  # noqa: B018
    # Nothing above needs the database; a connection must never be shared across a fork.
    connections.close_all()
    freeze_what_lives_on()


def post_worker_init(worker):
    """Each worker loads the facet index before its first visitor (about 0.1 s at 300,000
    recommendations, more when several workers start at once)."""
    from django.db import connections

    from recommendations import facet_index

    try:
        facet_index.current()
    finally:
        connections.close_all()
    freeze_what_lives_on()


def freeze_what_lives_on():
    """The 150,000 objects of the imported code (and the facet index) live as long as the
    process. Python's full garbage collections walked them all, 50-95 ms each at random
    moments of a request: the slowest answers of the load run. Frozen, they are skipped
    (a full collection then takes a few ms), and the workers keep sharing the master's
    memory pages instead of writing to them."""
    gc.freeze()
