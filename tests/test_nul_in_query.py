"""A NUL character in a query parameter is dropped before views read it: PostgreSQL
refuses NUL in any string, so a value passed on to a query would be a server error."""

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    ["/subscriptions/?q=%00&theme=%00", "/recommendations/?q=hous%00ing&%00=1"],
)
def test_public_pages_answer_a_nul_in_the_query(client, url):
    assert client.get(url).status_code == 200


def test_the_merge_search_drops_a_nul_and_searches_the_rest(client):
    curator = f.curator()
    client.force_login(curator)
    response = client.get("/manage/merge/jurisdictions/?q=Pitts%00burgh")
    assert response.status_code == 200
    assert response.wsgi_request.GET["q"] == "Pittsburgh"
