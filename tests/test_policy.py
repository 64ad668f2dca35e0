"""One backoff, one lease, one set of thresholds."""

from datetime import timedelta

from stories import policy


def test_backoff_waits_the_base_then_doubles_up_to_the_ceiling():
    waits = [policy.backoff(60, n, ceiling=1000) for n in range(1, 7)]

    assert waits == [timedelta(seconds=s) for s in (60, 120, 240, 480, 960, 1000)]


def test_backoff_jitter_only_adds_up_to_its_fraction():
    waits = {policy.backoff(100, 2, ceiling=10_000, jitter=0.2) for _ in range(50)}

    assert all(timedelta(seconds=200) <= w <= timedelta(seconds=240) for w in waits)
    assert len(waits) > 1


def test_backoff_stops_doubling_after_many_failures():
    assert policy.backoff(1, 500, ceiling=10**9) == timedelta(
        seconds=2**policy.MAX_DOUBLINGS
    )


def test_thresholds_follow_settings(settings):
    settings.NEWSROOM_FEED_FAILING_AFTER = 7
    settings.NEWSROOM_ARTICLE_FAILING_AFTER = 2
    assert (policy.feed_failing_after(), policy.article_failing_after()) == (7, 2)
