"""The web server's start-up (upr_tracker/gunicorn_conf.py) does what a worker's first
visitor would otherwise wait for."""

import gc

from django.template import engines

from recommendations import facet_index
from upr_tracker import gunicorn_conf


def test_a_worker_starts_with_the_facet_index_and_the_first_pages_templates(
    transactional_db, reference_data
):
    # Transactional: the start-up closes its database connections, as a forked worker must.
    facet_index.forget_held()
    engine = engines["django"].engine
    for loader in engine.template_loaders:
        loader.reset()
    try:
        gunicorn_conf.on_starting(server=None)
        gunicorn_conf.post_worker_init(worker=None)
        # What lives on (the imported code, the index) is out of the collector's walks.
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
    assert facet_index._held is not None
    assert facet_index._held.version == facet_index.stamp()
    cached = {name for loader in engine.template_loaders for name in loader.get_template_cache}
    assert set(gunicorn_conf.FIRST_TEMPLATES) <= cached
