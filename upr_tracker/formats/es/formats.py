"""Spanish formats: Django's (1.234,5), except dates, which every page prints in one form,
as Latin American readers write them (03/12/2026, 03/12/2026 14:05). Mail and report
documents write dates out in words (3 de diciembre de 2026)."""

DATE_FORMAT = SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "d/m/Y H:i"
