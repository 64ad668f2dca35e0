"""Real pages (a subset of ../shared/realpages in tests/fixtures/realpages): every
derived edit is recorded, no noise-only pair is, the fingerprint never hides what
the full path would record, and extraction keeps up with plain trafilatura.

`manage.py realpages_report` runs the same evaluation on all 130 pages.
"""

from pathlib import Path

import pytest

from stories.realpages import evaluate, pairs

PAGES_DIR = Path(__file__).parent / "fixtures" / "realpages"


@pytest.fixture(scope="module")
def report() -> evaluate.Report:
    return evaluate.evaluate(pairs.load_pages(PAGES_DIR))


def test_every_derived_edit_is_recorded(report):
    missed = [
        f"{o.page}: {o.kind}"
        for o in report.outcomes
        if o.kind in pairs.EDIT_KINDS and not o.detected
    ]
    assert missed == []
    kinds = {o.kind for o in report.outcomes}
    assert set(pairs.EDIT_KINDS) <= kinds


def test_noise_outside_the_article_records_nothing(report):
    recorded = [
        f"{o.page}: {o.kind}"
        for o in report.outcomes
        if o.kind in pairs.NOISE_KINDS and o.recorded
    ]
    assert recorded == []


def test_fingerprint_never_hides_a_change_the_full_path_records(report):
    assert [f"{o.page}: {o.kind}" for o in report.outcomes if o.hid] == []


def test_headline_edit_is_a_headline_change_only(report):
    headline = [o for o in report.outcomes if o.kind == "headline"]
    assert headline
    assert [o.page for o in headline if o.text_changed] == []


def test_noise_pairs_take_the_cheap_path(report):
    noise = [o for o in report.outcomes if o.kind in pairs.NOISE_KINDS]
    assert sum(o.cheap_path for o in noise) >= 0.8 * len(noise)


def test_extraction_keeps_up_with_plain_trafilatura(report):
    ours = sum(s.f1 for s in report.ours.values()) / len(report.ours)
    plain = sum(s.f1 for s in report.plain.values()) / len(report.plain)
    assert report.lost == []
    assert ours >= plain - 0.01, (ours, plain)


def test_the_report_reads_as_a_table(report):
    text = "\n".join(evaluate.format_report(report))
    assert "plain trafilatura" in text
    for kind in (*pairs.EDIT_KINDS, *pairs.NOISE_KINDS):
        assert f"  {kind} " in text
