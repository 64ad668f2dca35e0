"""Alert messages: the subject, text, HTML and webhook JSON for a batch of changes,
and the signed links that let a reader mute, pause or leave without logging in.

One *item* of a message is one check of one article: the headline, text and figure
changes that check found arrive together ("Text and figures changed"), not as one
item per kind. Wording comes from stories.describe, links from Change.
"""

from collections import OrderedDict
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from stories import channels, describe
from stories.models import Change, Story, Subscription

SIGNING_SALT = "newsroom.alerts.subscription"
ACTIONS = ("mute", "pause", "resume", "unsubscribe", "confirm")


# --- signed links --------------------------------------------------------------------


def absolute(path: str) -> str:
    return f"{settings.NEWSROOM_BASE_URL}{path}"


def action_token(subscription: Subscription, action: str) -> str:
    return signing.dumps({"s": subscription.pk, "a": action}, salt=SIGNING_SALT)


def read_action_token(token: str) -> tuple[int, str] | None:
    """(subscription id, action) from a signed link; None if tampered or expired."""
    try:
        data = signing.loads(
            token,
            salt=SIGNING_SALT,
            max_age=settings.NEWSROOM_ALERT_LINK_MAX_AGE_DAYS * 86400,
        )
    except signing.BadSignature:  # SignatureExpired included
        return None
    if not isinstance(data, dict) or data.get("a") not in ACTIONS:
        return None
    if not isinstance(data.get("s"), int):
        return None
    return data["s"], data["a"]


def action_url(subscription: Subscription, action: str) -> str:
    token = action_token(subscription, action)
    return absolute(reverse("alerts:signed-action", kwargs={"token": token}))


def confirmation_message(subscription: Subscription) -> channels.Message:
    """The email that asks the address's owner to confirm a new email alert."""
    context = {
        "subscription": subscription,
        "requested_by": subscription.user.get_username() if subscription.user else "",
        "confirm_url": action_url(subscription, "confirm"),
    }
    return channels.Message(
        key=f"confirm-{subscription.pk}",
        subject=f"Confirm Newsroom alerts for {subscription.describe_scope()}",
        text=render_to_string("emails/confirm_subscription.txt", context),
        html=render_to_string("emails/confirm_subscription.html", context),
        url=context["confirm_url"],
    )


# --- items: one check of one article ------------------------------------------------


@dataclass
class Item:
    """The changes one check found in one article, worded for a message."""

    changes: list[Change]
    url: str = ""
    heading: str = ""  # "Text and figures changed"
    lines: list[str] = field(default_factory=list)  # summaries, "back to" notes
    excerpt: list[tuple[str, str]] = field(default_factory=list)
    excerpt_text: str = ""
    figures: list[str] = field(default_factory=list)

    @property
    def change(self) -> Change:
        """The first change: its article, source and time stand for the item's."""
        return self.changes[0]


def _items(changes: list[Change]) -> list[Item]:
    """Changes grouped by the check that found them (same article, same moment)."""
    checks: OrderedDict[tuple[int, object], list[Change]] = OrderedDict()
    for change in changes:
        checks.setdefault((change.article_id, change.detected_at), []).append(change)
    return [_item(found) for found in checks.values()]


def _item(changes: list[Change]) -> Item:
    item = Item(changes, heading=describe.what_changed(c.kind for c in changes))
    for change in changes:
        deltas = describe.figure_deltas(change.figure_deltas())
        item.figures += deltas
        if change.summary and not deltas:
            item.lines.append(change.summary)
        if change.flip_flop():
            item.lines.append(describe.flip_flop_note(change.kind))
    # The text's edit says most; a headline's when only the headline moved.
    wordy = [c for c in changes if c.kind in (Change.Kind.TEXT, Change.Kind.HEADLINE)]
    wordy.sort(key=lambda change: change.kind != Change.Kind.TEXT)
    item.excerpt = describe.excerpt(wordy[0].diff_ops) if wordy else []
    item.excerpt_text = describe.excerpt_text(item.excerpt)
    # The last change's link shows the article as the check left it.
    item.url = absolute(changes[-1].get_absolute_url())
    return item


def _group_by_story(items: list[Item]) -> list[dict]:
    """[{story, url, items}, ...]; items outside any story go last."""
    story_of: dict[int, Story] = {}
    links = Story.articles.through.objects.filter(
        article_id__in={item.change.article_id for item in items}
    ).select_related("story")
    for link in links.order_by("story_id"):
        story_of.setdefault(link.article_id, link.story)
    groups: OrderedDict[int | None, dict] = OrderedDict()
    for item in items:
        story = story_of.get(item.change.article_id)
        group = groups.setdefault(
            story.pk if story else None,
            {
                "story": story,
                "url": absolute(story.get_absolute_url()) if story else "",
                "items": [],
            },
        )
        group["items"].append(item)
    return sorted(groups.values(), key=lambda group: group["story"] is None)


def _subject(subscription: Subscription, items: list[Item], groups: list) -> str:
    if _is_digest(subscription):
        label = "Hourly" if subscription.mode == Subscription.Mode.HOURLY else "Daily"
        subject = f"{label} digest: {_counted(items, groups)}"
    elif len(groups) > 1:
        subject = _counted(items, groups)
    else:
        article = items[0].change.article
        what = items[0].heading if len(items) == 1 else _counted(items, [])
        subject = f"{what}: {article.title or article.url}"
    # Headers must be one line, whatever the page's title contained.
    return " ".join(subject.split())[:200]


def _counted(items: list[Item], groups: list) -> str:
    """ "3 changes in 2 stories"; only "3 changes" when some are in no story."""
    count = describe.plural(len(items), "change")
    if groups and all(group["story"] for group in groups):
        count += f" in {describe.plural(len(groups), 'story', 'stories')}"
    return count


def _is_digest(subscription: Subscription) -> bool:
    return subscription.mode != Subscription.Mode.IMMEDIATE


# --- the message --------------------------------------------------------------------


def render_message(
    subscription: Subscription, changes: list[Change], key: str
) -> channels.Message:
    """Subject, text, HTML and webhook JSON for these changes (oldest first).

    Reads which stories the changes' articles belong to; writes nothing.
    """
    items = _items(changes)
    groups = _group_by_story(items)
    links = {action: action_url(subscription, action) for action in ACTIONS}
    links["manage"] = absolute(reverse("alerts:subscription-list"))
    subject = _subject(subscription, items, groups)
    context = {
        "subscription": subscription,
        "groups": groups,
        "count": len(items),
        "links": links,
        "is_digest": _is_digest(subscription),
        "subject": subject,
    }
    return channels.Message(
        key=key,
        subject=subject,
        text=render_to_string("emails/change_alert.txt", context),
        html=render_to_string("emails/change_alert.html", context),
        url=_landing_url(subscription, groups),
        payload=_payload(subscription, groups, key),
        headers={
            "List-Unsubscribe": f"<{links['unsubscribe']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _landing_url(subscription: Subscription, groups: list) -> str:
    """Where the reader goes: the article for an article's follower, else the story."""
    first = groups[0]
    if subscription.scope == Subscription.Scope.ARTICLE or not first["url"]:
        return first["items"][-1].url
    return first["url"]


def _payload(subscription: Subscription, groups: list, key: str) -> dict:
    changes = [
        _change_payload(change, group)
        for group in groups
        for item in group["items"]
        for change in item.changes
    ]
    return {
        "type": "newsroom.changes",
        "version": 1,
        "idempotency_key": key,
        "sent_at": timezone.now().isoformat(),
        "subscription": {
            "id": subscription.pk,
            "scope": subscription.scope,
            "trigger": subscription.trigger,
            "mode": subscription.mode,
        },
        "changes": changes,
    }


def _change_payload(change: Change, group: dict) -> dict:
    article, story = change.article, group["story"]
    is_wordy = change.kind in (Change.Kind.TEXT, Change.Kind.HEADLINE)
    return {
        "id": change.pk,
        "kind": change.kind,
        "detected_at": change.detected_at.isoformat(),
        "summary": change.summary,
        "url": absolute(change.get_absolute_url()),
        "words_added": change.words_added,
        "words_removed": change.words_removed,
        "diff_excerpt": [
            list(op) for op in (describe.excerpt(change.diff_ops) if is_wordy else [])
        ],
        "figures": change.figure_deltas(),
        "article": {
            "id": article.pk,
            "url": article.url,
            "title": article.title,
            "source": article.source.name if article.source_id else None,
        },
        "story": (
            {
                "id": story.pk,
                "slug": story.slug,
                "title": story.title,
                "url": group["url"],
            }
            if story
            else None
        ),
    }
