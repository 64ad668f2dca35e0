"""The Change rows between two versions of an article: headline, text and figures,
classified, summarised and scored; and the "back online" change.

Called by the pipeline under the article's lock; it reads the article's earlier
versions (for flip-flops) and builds, but does not save, the rows.
"""

from dataclasses import asdict
from datetime import datetime

from stories import diffing, figures, intelligence
from stories.models import Article, Change, ChangeDetails, Version

# The edit report of two equal texts, for scoring headline-only and figure changes.
NO_EDITS = intelligence.classify_edits("", "", "en")


def changes_between(
    article: Article, old: Version | None, new: Version, now: datetime
) -> list[Change]:
    """Headline, text and figure changes from `old` to `new`, classified and scored.

    Text edits are aligned sentence by sentence (added, deleted, edited, moved),
    appended corrections/updates are quoted, every change gets a significance score,
    and a headline or text that returns to an earlier state is marked a flip-flop.
    """
    if old is None:
        return []
    lang = new.language or old.language
    deltas = figures.compare_figures(
        [figures.Figure.from_dict(d) for d in old.figures],
        [figures.Figure.from_dict(d) for d in new.figures],
    )
    history = list(
        Version.objects.filter(article=article, number__lt=new.number)
        .order_by("number")
        .values_list("title", "text")
    )

    def change(kind: str, **fields: object) -> Change:
        return Change(
            article=article,
            from_version=old,
            to_version=new,
            kind=kind,
            detected_at=now,
            **fields,
        )

    changes = []
    if old.title != new.title:
        diff = diffing.diff_texts(old.title, new.title)
        flip = intelligence.detect_flip_flop([title for title, _ in history], new.title)
        changes.append(
            change(
                Change.Kind.HEADLINE,
                words_added=diff.words_added,
                words_removed=diff.words_removed,
                summary=f"“{old.title}” → “{new.title}”"[:1000],
                diff_ops=[list(op) for op in diff.ops],
                significance=intelligence.score_significance(
                    NO_EDITS, old_headline=old.title, new_headline=new.title, lang=lang
                ),
                details=details_for(flip_flop=flip),
            )
        )
    if old.text != new.text:
        diff = diffing.diff_texts(old.text, new.text)
        report = intelligence.classify_edits(old.text, new.text, lang)
        note = intelligence.find_correction(old.text, new.text, lang)
        flip = intelligence.detect_flip_flop([text for _, text in history], new.text)
        changes.append(
            change(
                Change.Kind.TEXT,
                words_added=diff.words_added,
                words_removed=diff.words_removed,
                summary=text_summary(report, note, deltas, diff)[:1000],
                diff_ops=[list(op) for op in diff.ops],
                significance=intelligence.score_significance(
                    report, figure_deltas=deltas, correction=note, lang=lang
                ),
                details=details_for(edits=report, correction=note, flip_flop=flip),
            )
        )
    if deltas:
        changes.append(
            change(
                Change.Kind.FIGURE,
                summary="; ".join(delta.describe() for delta in deltas)[:1000],
                significance=intelligence.score_significance(
                    NO_EDITS, figure_deltas=deltas, lang=lang
                ),
                details=details_for(figure_deltas=deltas),
            )
        )
    return changes


def details_for(
    *,
    edits: intelligence.EditReport | None = None,
    correction: intelligence.Correction | None = None,
    flip_flop: intelligence.FlipFlop | None = None,
    figure_deltas: list[figures.FigureDelta] | None = None,
) -> ChangeDetails:
    """Change.details, in the one shape everything reads (models.ChangeDetails)."""
    details: ChangeDetails = {}
    if edits is not None:
        details["edits"] = edits.to_dict()
    if correction is not None:
        details["correction"] = correction.to_dict()
    if flip_flop is not None:
        details["flip_flop"] = flip_flop.to_dict()
    if figure_deltas:
        details["figures"] = [asdict(delta) for delta in figure_deltas]
    return details


def text_summary(
    report: intelligence.EditReport,
    note: intelligence.Correction | None,
    deltas: list[figures.FigureDelta],
    diff: diffing.Diff,
) -> str:
    """E.g. "2 sentences added, 1 moved, 1 figure revised · +12 −3 words"."""
    parts = [report.describe()] if report.changed else []
    revised = sum(1 for delta in deltas if delta.change == "revised")
    if revised:
        parts.append(f"{revised} figure{'s' if revised > 1 else ''} revised")
    if note:
        parts.append(f"{note.kind} {note.position}")
    words = f"+{diff.words_added} −{diff.words_removed} words"
    return f"{', '.join(parts)} · {words}" if parts else diff.summary


def restored_change(
    article: Article, old: Version | None, new: Version | None, now: datetime
) -> Change:
    return Change(
        article=article,
        from_version=old,
        to_version=new,
        kind=Change.Kind.RESTORED,
        detected_at=now,
        summary="article is back online",
    )
