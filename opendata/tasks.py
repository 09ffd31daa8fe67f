from celery import shared_task

from recommendations.jobs import RETRY, Skipped, advisory_lock, track_run


@shared_task(name="opendata.tasks.build_bulk_data", soft_time_limit=600, time_limit=660, **RETRY)
def build_bulk_data():
    """Write today's bulk files and delete those past their retention. Safe to run twice:
    one run at a time holds the lock, and a day whose set exists is not built again."""
    from . import bulk

    with track_run("opendata.tasks.build_bulk_data") as run:
        with advisory_lock("opendata.build_bulk_data") as acquired:
            if not acquired:
                raise Skipped("Another run was building the bulk files.")
            run.counts = bulk.build()
            run.counts["pruned"] = bulk.prune()
    return run.counts
