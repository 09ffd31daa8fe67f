import functools
import logging
import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "upr_tracker.settings")

logger = logging.getLogger(__name__)


class Task(DjangoTask):
    """Every task of the project. Queued after the commit that saved what it works on, and
    a broker that cannot be reached then is logged, never raised: the change is saved and
    the request must not turn into an error. The row it was for stays queued until a
    sweeper sends it again (recommendations.tasks.maintain_imports for imports,
    jurisdictions.tasks.maintain_report_builds for reports; the nightly full refresh
    catches up on statuses)."""

    def delay_on_commit(self, *args, **kwargs) -> None:
        transaction.on_commit(functools.partial(self.send_or_log, args, kwargs))

    def apply_async_on_commit(self, args=None, kwargs=None, **options) -> None:
        transaction.on_commit(functools.partial(self.send_or_log, args, kwargs, **options))

    def send_or_log(self, args=None, kwargs=None, **options):
        """apply_async, or None and a log line when the broker is away."""
        try:
            return self.apply_async(args=args, kwargs=kwargs, **options)
        except (OperationalError, RedisError):
            logger.warning(
                "Could not queue %s; it will be sent again later", self.name, exc_info=True
            )
            return None


app = Celery("upr_tracker", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
