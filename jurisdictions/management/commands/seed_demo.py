from django.core.management.base import BaseCommand

from jurisdictions.demo import seed_local_actions
from jurisdictions.local_status import refresh_local_status
from jurisdictions.seed import seed_jurisdictions
from jurisdictions.status_refresh import refresh_suspended
from recommendations.demo import seed_recommendations
from recommendations.seed import seed_reference


class Command(BaseCommand):
    help = (
        "Load the reference data, the US reviews, demo recommendations and demo local "
        "commitments. Safe to run again: a second run changes nothing."
    )

    def handle(self, *args, **options):
        counts = {**seed_reference(), **seed_jurisdictions()}
        with refresh_suspended():
            counts["recommendations"] = seed_recommendations()
            counts.update(seed_local_actions())
        refresh_local_status()
        self.stdout.write(", ".join(f"{n} {label}" for label, n in counts.items()))
