"""Change intelligence: what kind of edit happened between two versions.

One module per concern, all names re-exported here:

- edits: classify_edits aligns two texts sentence by sentence and names each
  edit (sentence added, deleted, edited, moved; paragraph added, removed, moved,
  split, merged), with diffing's word-level ops for edited sentences;
- corrections: find_correction, a correction or update note the new text gained;
- significance: score_significance, 0-1 from what changed, and the
  SIGNIFICANCE_LEVELS (major, notable, minor) it falls in;
- flipflops: detect_flip_flop, a headline or text back at an earlier state;
- claims: find_disagreements, figure claims of one story from several articles
  whose values cannot both be right;
- rules: the per-language word tables the engine reads.

Pure: no Django, no I/O. Texts are normalised texts (stories.extraction:
paragraphs joined by a blank line); sentences come from stories.text.
"""

from stories.intelligence.align import EDIT_SIMILARITY, MOVE_SIMILARITY
from stories.intelligence.claims import (
    ABSOLUTE_MARGIN,
    GROWTH_TOLERANCE,
    INTERVALS,
    RELATIVE_MARGIN,
    VAGUE_INTERVAL,
    Disagreement,
    FigureClaim,
    figure_interval,
    find_disagreements,
)
from stories.intelligence.corrections import Correction, find_correction
from stories.intelligence.edits import (
    ADDED,
    DELETED,
    EDITED,
    MOVED,
    PARAGRAPH_ADDED,
    PARAGRAPH_MERGED,
    PARAGRAPH_MOVED,
    PARAGRAPH_REMOVED,
    PARAGRAPH_SPLIT,
    EditReport,
    SentenceEdit,
    classify_edits,
)
from stories.intelligence.flipflops import FlipFlop, detect_flip_flop
from stories.intelligence.significance import (
    ATTRIBUTION_REACH,
    SIGNIFICANCE_LEVELS,
    WEIGHTS,
    SignificanceLevel,
    score_significance,
    significance_level,
)
from stories.intelligence.wording import (
    NUMBER,
    PUNCTUATION,
    TYPO,
    WHITESPACE,
    WORDING,
)
from stories.text import split_paragraphs, split_sentences

__all__ = [
    "ABSOLUTE_MARGIN",
    "ADDED",
    "ATTRIBUTION_REACH",
    "DELETED",
    "EDITED",
    "EDIT_SIMILARITY",
    "GROWTH_TOLERANCE",
    "INTERVALS",
    "MOVED",
    "MOVE_SIMILARITY",
    "NUMBER",
    "PARAGRAPH_ADDED",
    "PARAGRAPH_MERGED",
    "PARAGRAPH_MOVED",
    "PARAGRAPH_REMOVED",
    "PARAGRAPH_SPLIT",
    "PUNCTUATION",
    "RELATIVE_MARGIN",
    "SIGNIFICANCE_LEVELS",
    "TYPO",
    "VAGUE_INTERVAL",
    "WEIGHTS",
    "WHITESPACE",
    "WORDING",
    "Correction",
    "Disagreement",
    "EditReport",
    "FigureClaim",
    "FlipFlop",
    "SentenceEdit",
    "SignificanceLevel",
    "classify_edits",
    "detect_flip_flop",
    "figure_interval",
    "find_correction",
    "find_disagreements",
    "score_significance",
    "significance_level",
    "split_paragraphs",
    "split_sentences",
]
