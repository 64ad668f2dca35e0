from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from stories import pipeline, urlnorm
from stories.models import Article


class Command(BaseCommand):
    help = "Check one article now, in this process, and print what happened."

    def add_arguments(self, parser) -> None:
        parser.add_argument("article", help="Article id or URL.")

    def handle(self, *args, article: str, **options) -> None:
        if article.isdigit():
            lookup = Q(pk=int(article))
        else:
            try:
                lookup = Q(url=urlnorm.normalise_url(article)) | Q(url=article)
            except ValueError:
                lookup = Q(url=article)
        found = Article.objects.select_related("source").filter(lookup).first()
        if found is None:
            raise CommandError(
                f"No tracked article {article!r}. Add it with `manage.py track URL`."
            )
        self.stdout.write(f"Checking article {found.pk}: {found.url}")
        result = pipeline.check_article(found)
        status = result.status_code if result.status_code is not None else "-"
        self.stdout.write(f"HTTP status: {status}")
        self.stdout.write(f"Outcome: {result.outcome} ({result.message})")
        if result.version is not None:
            self.stdout.write(
                f"New version: {result.version.number} "
                f"({len(result.version.text.split())} words, “{result.version.title}”)"
            )
        else:
            self.stdout.write("New version: none")
        if result.changes:
            for change in result.changes:
                self.stdout.write(f"Change: {change.kind}: {change.summary}")
        else:
            self.stdout.write("Changes: none")
        if result.outcome == "failed":
            raise CommandError(f"Check failed: {result.message}")
