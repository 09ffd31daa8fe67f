"""The publication states every staff submission goes through (commitments, progress
updates, indicators, measurements): its own module so that models in sub-packages
(progress/models.py) share it without importing jurisdictions.models back."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Publication(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Returned by curator")
