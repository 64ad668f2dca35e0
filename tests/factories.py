import factory
from django.utils import timezone

from stories.models import Article, Change, Source, Story, Subscription


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


KILLED_32_TO_100 = {
    "kind": "killed",
    "change": "revised",
    "old": 32,
    "new": 100,
    "old_qualifier": "exact",
    "new_qualifier": "nearly",
    "attributed_to": "Armenia",
}


class ChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Change

    article = factory.SubFactory(ArticleFactory)
    kind = Change.Kind.TEXT
    detected_at = factory.LazyFunction(timezone.now)
    words_added = 3
    words_removed = 1
    summary = "+3/−1 words, 1 sentence touched"
    diff_ops = factory.LazyFunction(
        lambda: [
            ["equal", "Armenië meldt "],
            ["delete", "32"],
            ["insert", "bijna 100"],
            ["equal", " doden en meer dan 200 gewonden."],
        ]
    )


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    scope = Subscription.Scope.ALL
    channel = Subscription.Channel.EMAIL
    target = factory.Sequence(lambda n: f"reader{n}@example.org")
