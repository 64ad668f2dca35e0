from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from stories import urlnorm
from stories.models import Article, Source, Story


class Command(BaseCommand):
    help = "Start tracking an article URL, optionally in a story (created if needed)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("url")
        parser.add_argument(
            "--story", help="Story slug; created when it does not exist."
        )
        parser.add_argument("--story-title", help="Title for a newly created story.")

    def handle(self, *args, url: str, story: str | None, story_title: str | None, **o):
        try:
            # The spelling feeds use too, so a hand-added URL is the same Article.
            url = urlnorm.normalise_url(url)
        except ValueError as exc:
            raise CommandError(f"Not an http(s) URL: {url}") from exc
        parts = urlsplit(url)
        domain = parts.netloc.lower()
        source, _ = Source.objects.get_or_create(
            domain=domain,
            defaults={"name": domain, "homepage": f"{parts.scheme}://{domain}/"},
        )
        article, created = Article.objects.get_or_create(
            url=url,
            defaults={
                "source": source,
                "check_interval": source.default_check_interval,
            },
        )
        verb = "Tracking" if created else "Already tracking"
        self.stdout.write(f"{verb} article {article.pk}: {url}")
        if story:
            slug = slugify(story)
            if not slug:
                raise CommandError(f"Not a usable story slug: {story!r}")
            story_obj, story_created = Story.objects.get_or_create(
                slug=slug,
                defaults={"title": story_title or story.replace("-", " ").title()},
            )
            article.stories.add(story_obj)
            self.stdout.write(
                f"{'Created story' if story_created else 'In story'} "
                f"“{story_obj.title}” "
                f"({story_obj.get_absolute_url()})"
            )
        self.stdout.write(
            f"First check is due now; run `python manage.py check_now {article.pk}` "
            "to check it immediately."
        )
