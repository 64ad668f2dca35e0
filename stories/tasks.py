"""Thin Celery tasks: load by id, call one pipeline function, decide what comes next."""

import logging
import random

from celery import shared_task
from django.db import InterfaceError, OperationalError

from stories import pipeline
from stories.models import Article

logger = logging.getLogger(__name__)

# Database hiccups (a PostgreSQL restart) are retried by Celery; page problems are
# recorded on the article by the pipeline and retried here with backoff.
DB_ERRORS = (OperationalError, InterfaceError)


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=3,
    autoretry_for=DB_ERRORS,
    retry_backoff=5,
    retry_jitter=True,
)
def check_article(self, article_id: int) -> str:
    article = Article.objects.select_related("source").filter(pk=article_id).first()
    if article is None:
        return "article deleted"  # deleted after it was queued
    result = pipeline.check_article(article)
    if result.is_transient and self.request.retries < self.max_retries:
        countdown = result.retry_after or 30 * 2**self.request.retries
        raise self.retry(countdown=countdown + random.uniform(0, 5))
    return result.outcome


@shared_task(acks_late=True, autoretry_for=DB_ERRORS, retry_backoff=5, max_retries=3)
def enqueue_due_articles() -> int:
    article_ids = pipeline.claim_due_articles()
    for article_id in article_ids:
        check_article.delay(article_id)
    if article_ids:
        logger.info("enqueued %s due article checks", len(article_ids))
    return len(article_ids)
