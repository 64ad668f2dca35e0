import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from stories.demo import site
from stories.models import Article, Source, Story


class Command(BaseCommand):
    help = (
        "Create the demo story, its article on the local demo site, and an admin user."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=8765)

    def handle(self, *args, port: int, **options) -> None:
        story_data = site.load_story()
        source, _ = Source.objects.get_or_create(
            domain=f"127.0.0.1:{port}",
            defaults={
                "name": "NU.nl (demo)",
                "homepage": f"http://127.0.0.1:{port}/",
                "language": "nl",
                "default_check_interval": 20,
            },
        )
        story, created = Story.objects.get_or_create(
            slug="nagorno-karabakh-ceasefire",
            defaults={
                "title": "Nagorno-Karabakh ceasefire, September 2023",
                "description": _describe(story_data.get("event")),
            },
        )
        url = f"http://127.0.0.1:{port}{site.article_path()}"
        article, _ = Article.objects.get_or_create(
            url=url,
            defaults={
                "source": source,
                "check_interval": source.default_check_interval,
            },
        )
        article.stories.add(story)
        self.stdout.write(
            f"{'Created' if created else 'Kept'} story “{story.title}” tracking {url}"
        )

        User = get_user_model()
        password = os.environ.get("NEWSROOM_DEMO_ADMIN_PASSWORD", "newsroom")
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@example.com", password)
            self.stdout.write(f"Created admin user: admin / {password}")


def _describe(event: dict | str | None) -> str:
    if isinstance(event, dict):
        name, date = event.get("name", ""), event.get("date", "")
        return f"{name} ({date})" if date else name
    return event or ""
