"""English formats: Django's, except the short date pages print beside events, which
stays the ISO form (2026-12-03) that English pages have always shown."""

SHORT_DATE_FORMAT = "Y-m-d"
