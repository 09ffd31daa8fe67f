from django.core.management.base import BaseCommand

from jurisdictions.seed import seed_jurisdictions
from recommendations.seed import seed_reference


class Command(BaseCommand):
    help = "Load countries, regional groups, theme vocabularies, SDGs and US states (idempotent)."

    def handle(self, *args, **options):
        counts = {**seed_reference(), **seed_jurisdictions()}
        self.stdout.write(", ".join(f"{n} {label}" for label, n in counts.items()))
