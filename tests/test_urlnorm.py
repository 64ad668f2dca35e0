import pytest

from stories import urlnorm


def test_tracking_params_are_stripped_and_rest_sorted():
    url = "HTTPS://WWW.Example.com:443/a//b.html?utm_source=rss&id=2&fbclid=x&a=1#top"
    assert urlnorm.normalise_url(url) == "https://www.example.com/a/b.html?a=1&id=2"


def test_two_spellings_of_one_article_normalise_the_same():
    a = urlnorm.normalise_url("https://nu.nl/x.html?at_medium=RSS&at_campaign=w")
    b = urlnorm.normalise_url("https://nu.nl/x.html")
    assert a == b


def test_non_default_port_is_kept():
    assert urlnorm.normalise_url("http://127.0.0.1:8123/p") == "http://127.0.0.1:8123/p"


@pytest.mark.parametrize("url", ["ftp://x/y", "javascript:alert(1)", "/relative"])
def test_non_http_urls_are_refused(url):
    with pytest.raises(ValueError):
        urlnorm.normalise_url(url)


def test_canonical_link_is_read_and_normalised():
    html = (
        '<html><head><link rel="Canonical" href="/news/1.html?utm_medium=x">'
        "</head><body></body></html>"
    )
    assert (
        urlnorm.canonical_link(html, "https://site.example/news/1.html?ref=home")
        == "https://site.example/news/1.html"
    )


def test_missing_canonical_is_empty():
    assert urlnorm.canonical_link("<html><body>x</body></html>", "https://a.b/") == ""
