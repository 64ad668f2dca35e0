import factory
from django.utils import timezone

from stories.models import Article, Source, Story


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("domain",)

    name = factory.Sequence(lambda n: f"Outlet {n}")
    domain = factory.Sequence(lambda n: f"outlet{n}.example")
    language = "nl"
    default_check_interval = 600


class StoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Story

    title = factory.Sequence(lambda n: f"Story {n}")
    slug = factory.Sequence(lambda n: f"story-{n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    url = factory.Sequence(lambda n: f"https://outlet.example/articles/{n}.html")
    source = factory.SubFactory(SourceFactory)
    next_check_at = factory.LazyFunction(timezone.now)
    check_interval = 600
