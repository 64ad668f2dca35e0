from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from stories.demo import site


@pytest.fixture
def news_site() -> Iterator[tuple[site.VersionedPage, str]]:
    """The fixture story's article served over real HTTP on 127.0.0.1."""
    server, page, url = site.serve()
    yield page, url
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_host(settings):
    """Let the fetcher reach exactly this local test server, nothing else private."""

    def allow(url: str) -> None:
        settings.NEWSROOM_ALLOW_PRIVATE_HOSTS = False
        settings.NEWSROOM_ALLOWED_PRIVATE_HOSTS = [urlsplit(url).netloc]

    return allow


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached fragments (story charts) and login counters never leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_random_audit(settings):
    """The cheap-path audit runs the full path on a random share of checks; tests
    that want it set NEWSROOM_AUDIT_SHARE themselves."""
    settings.NEWSROOM_AUDIT_SHARE = 0.0
