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
