"""Exports and the database: down before a download starts, the answer is a 503 page and
no file; lost part-way, the file says it is incomplete and the response is aborted, so
nobody keeps a truncated file that looks complete."""

import pytest
from django.db import DatabaseError, connection, connections
from django.test import Client

from jurisdictions.models import Jurisdiction
from recommendations.exports import INCOMPLETE
from tests.helpers import unused_port

pytestmark = pytest.mark.django_db(transaction=True)

EXPORTS = [
    "/jurisdictions/export.csv",
    "/jurisdictions/export.json",
    "/commitments/export.csv",
    "/commitments/export.json",
    "/recommendations/export.csv",
    "/recommendations/export.json",
]


@pytest.fixture
def database_down(monkeypatch):
    """This process's connection points at a port where no database listens. Through its
    connection parameters rather than the settings: the embedded server's backend fills
    in its own socket and port whatever the settings say."""
    params = {**connection.get_connection_params(), "host": "127.0.0.1", "port": unused_port()}
    connection.close()
    monkeypatch.setattr(connection, "get_connection_params", lambda: params)
    yield
    monkeypatch.undo()
    connection.close()


def test_exports_and_pages_asked_for_while_the_database_is_down_are_503_pages(database_down):
    client = Client(raise_request_exception=False)
    for url in EXPORTS:
        response = client.get(url)

        assert response.status_code == 503, url
        assert response["Retry-After"] == "60"
        assert "Content-Disposition" not in response
        assert "cannot reach its database" in response.content.decode()

    page = client.get("/commitments/")
    assert page.status_code == 503 and "try again in a minute" in page.content.decode()


def test_an_export_cut_off_part_way_says_so_and_fails(client):
    # More rows than the export reads in its first query (exports.FIRST_RANGE).
    Jurisdiction.objects.bulk_create(
        Jurisdiction(kind="city", name=f"Town {n}", slug=f"town-{n}", state_code="PA")
        for n in range(2500)
    )
    response = client.get("/jurisdictions/export.csv")
    assert response.status_code == 200
    chunks = iter(response.streaming_content)
    received = [next(chunks)]
    # The database goes away after the first rows went out.
    killer = connections.create_connection("default")
    try:
        with killer.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid]
            )
    finally:
        killer.close()

    with pytest.raises(DatabaseError):
        for chunk in chunks:
            received.append(chunk)

    text = b"".join(received).decode()
    assert text.rstrip().endswith(INCOMPLETE)
    assert text.count("\n") < 2500
    connection.close()
