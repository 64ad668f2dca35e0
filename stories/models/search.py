"""The database side of full-text search: which text-search configuration a
version's language maps to, and the stored, indexed vector of its headline and text.

Both are generated columns (computed by the database on every insert or update of a
version), so nothing that stores versions has to remember to index them. PostgreSQL
only; on SQLite they stay NULL and stories/search.py falls back to a plain match.
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.search import SearchVectorField
from django.db import models

# Version.language (ISO 639-1, from the page) -> PostgreSQL text search configuration.
CONFIGS = {"nl": "dutch", "en": "english", "de": "german", "fr": "french"}
FALLBACK_CONFIG = "simple"
ALL_CONFIGS = (*CONFIGS.values(), FALLBACK_CONFIG)


def _case_sql(cast: str) -> str:
    branches = " ".join(
        f"WHEN '{code}' THEN '{config}'{cast}" for code, config in CONFIGS.items()
    )
    return (
        f"CASE lower(substr(COALESCE(language, ''), 1, 2)) {branches} "
        f"ELSE '{FALLBACK_CONFIG}'{cast} END"
    )


class SearchConfigName(models.Func):
    """The configuration name for the row's language (portable SQL)."""

    output_field = models.CharField(max_length=16)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple:
        return _case_sql(""), []


class SearchDocument(models.Func):
    """Headline (weight A) and text (weight B) as a tsvector in the row's language.

    The configuration is picked with a CASE of regconfig constants: PostgreSQL
    accepts only immutable expressions in a generated column, and a cast of a text
    column to regconfig is not.
    """

    output_field = SearchVectorField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple:
        return "NULL", []

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple:
        config = _case_sql("::regconfig")
        return (
            f"setweight(to_tsvector({config}, COALESCE(title, '')), 'A') || "
            f"setweight(to_tsvector({config}, COALESCE(text, '')), 'B')"
        ), []
