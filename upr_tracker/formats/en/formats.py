"""English formats: Django's, except dates, which every page prints in one form, the ISO
one (2026-12-03, 2026-12-03 14:05) English pages have always shown: a date printed
without a format and one printed with the short format read the same. Mail and report
documents write dates out in words on purpose."""

DATE_FORMAT = SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "Y-m-d H:i"
