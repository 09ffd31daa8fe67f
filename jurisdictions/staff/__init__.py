"""Staff and curator screens under /manage/, one module per kind of work."""
