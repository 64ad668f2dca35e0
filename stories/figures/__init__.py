"""Figures: casualty counts and similar numbers read out of article text.

    find_figures(text, lang=...)  -> [Figure]       (engine.py)
    compare_figures(old, new)     -> [FigureDelta]  (compare.py)
    current_claims(found)         -> [Figure]       one current value per claim

The words that make a number a figure live in per-language tables (rules/);
the modules here are the engine that applies them. Pure: no Django, no I/O.
"""

from stories.figures.compare import compare_figures, current_claims
from stories.figures.compiled import detect_language
from stories.figures.engine import find_figures
from stories.figures.model import Figure, FigureDelta

__all__ = [
    "Figure",
    "FigureDelta",
    "compare_figures",
    "current_claims",
    "detect_language",
    "find_figures",
]
