"""Readers and parsers for the files curators import; recommendations.services writes."""
