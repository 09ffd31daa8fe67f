"""The publication states every staff submission goes through (commitments, progress
updates, indicators, measurements): its own module so that models in sub-packages
(progress/models.py) share it without importing jurisdictions.models back."""

from django.db import models


class Publication(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Returned by curator"
