import pytest

from stories import sources
from stories.models import Feed, Source
from tests.factories import SourceFactory


@pytest.mark.django_db
def test_sources_round_trip_through_csv_and_opml():
    source = SourceFactory(name="World Desk", domain="worlddesk.example")
    Feed.objects.create(source=source, url="https://worlddesk.example/rss.xml")
    Feed.objects.create(
        source=source, url="https://worlddesk.example/news.xml", kind="sitemap"
    )
    csv_text = sources.export_sources_csv([source])
    opml_text = sources.export_sources_opml([source])
    Feed.objects.all().delete()
    Source.objects.all().delete()

    from_csv = sources.import_sources(csv_text.encode(), "sources.csv")
    assert (from_csv.sources_created, from_csv.feeds_created) == (1, 2)
    Feed.objects.all().delete()
    Source.objects.all().delete()
    from_opml = sources.import_sources(opml_text.encode(), "sources.opml")

    assert (from_opml.sources_created, from_opml.feeds_created) == (1, 2)
    assert Feed.objects.get(kind="sitemap").url == "https://worlddesk.example/news.xml"
    assert Source.objects.get().name == "World Desk"


@pytest.mark.django_db
def test_opml_outlets_on_one_host_but_different_ports_stay_two_sources():
    opml = b"""<?xml version="1.0"?><opml version="2.0"><body>
      <outline text="Alnmere Echo" type="rss" xmlUrl="http://127.0.0.1:8403/feed.xml"/>
      <outline text="Harbour Gazette" type="rss" xmlUrl="http://127.0.0.1:8400/rss"/>
      <outline text="Plain" type="rss" xmlUrl="https://news.example.org:443/rss"/>
    </body></opml>"""
    result = sources.import_sources(opml, "sources.opml")
    assert result.sources_created == 3
    assert set(Source.objects.values_list("domain", flat=True)) == {
        "127.0.0.1:8403",
        "127.0.0.1:8400",
        "news.example.org",
    }
