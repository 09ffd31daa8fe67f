"""Spanish formats: Django's (3 de diciembre de 2026; 1.234,5), with the short date as
Latin American readers write it (03/12/2026)."""

SHORT_DATE_FORMAT = "d/m/Y"
