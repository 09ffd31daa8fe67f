"""Readers and parsers for the files curators import; recommendations.importers.pipeline writes."""
