"""Generated junk in every list's query parameters never causes a server error."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.browse_data import build_catalogue

pytestmark = pytest.mark.django_db

LISTS = {
    "/recommendations/": [
        "q", "cycle", "review", "response", "theme", "group", "sdg", "country", "region",
        "action", "jurisdiction", "local_action", "sort", "page",
    ],
    "/commitments/": [
        "q", "jurisdiction", "state", "kind", "status", "theme", "network", "year", "page",
    ],
    "/jurisdictions/": ["q", "kind", "state", "page"],
}  # fmt: skip
EXPORTS = ["/recommendations/export.csv", "/commitments/export.json", "/jurisdictions/export.csv"]

# Any printable or control character except lone surrogates, which no URL can carry.
junk_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=60
) | st.sampled_from(
    ["-1", "0", "99999999999999999999999", "1e9", "NaN", "'; drop table x; --", "\x00", "%", "\\"]
)


def junk_params(names):
    return st.dictionaries(
        st.sampled_from(names), st.lists(junk_text, min_size=1, max_size=3), max_size=5
    )


@pytest.fixture
def catalogue():
    return build_catalogue()


@pytest.mark.parametrize("url", sorted(LISTS))
def test_junk_parameters_never_cause_a_server_error(client, catalogue, url):
    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(params=junk_params(LISTS[url]))
    def check(params):
        response = client.get(url, params)
        assert response.status_code in {200, 404}, (url, params)

    check()


@pytest.mark.parametrize("url", EXPORTS)
def test_junk_parameters_never_break_an_export(client, catalogue, url):
    names = LISTS["/" + url.split("/")[1] + "/"]

    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(params=junk_params(names))
    def check(params):
        response = client.get(url, params)
        assert response.status_code == 200, (url, params)
        b"".join(response.streaming_content)

    check()


@pytest.mark.parametrize(
    "url",
    [
        "/recommendations/abc/",
        "/commitments/-1/",
        "/reviews/99999999999999999999/",
        "/countries/%00/",
    ],
)
def test_junk_ids_are_404(client, catalogue, url):
    assert client.get(url).status_code == 404
