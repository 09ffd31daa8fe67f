"""Extra context that other apps add to this app's pages.

The pages of the UN side also show local action (the commitments answering a
recommendation, a theme's commitments, the home page's figures and map), but this app
depends on nothing of the local side. Instead the jurisdictions app registers a provider per
page in its AppConfig.ready(), and each view merges what the providers return.
"""

from collections import defaultdict
from collections.abc import Callable

_providers: dict[str, list[Callable[..., dict]]] = defaultdict(list)


def register(page: str, provider: Callable[..., dict]) -> None:
    if provider not in _providers[page]:
        _providers[page].append(provider)


def extra_context(page: str, **kwargs) -> dict:
    context = {}
    for provider in _providers[page]:
        context.update(provider(**kwargs))
    return context
