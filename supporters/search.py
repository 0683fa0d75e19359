"""Keyword normalisation shared by the stored search text and the query.

Both sides go through the same fold, so full/half width, case and
hiragana/katakana never decide a match (ｾｲ = せい = セイ), and a plain
substring test works for two-character Japanese words on every database.
"""

from __future__ import annotations

import unicodedata

import jaconv

MAX_TOKENS = 8
MAX_QUERY_LENGTH = 200


def fold(text: str) -> str:
    """NFKC, lower case, katakana → hiragana, no whitespace."""
    text = unicodedata.normalize("NFKC", text or "")
    text = jaconv.kata2hira(text.lower())
    return "".join(ch for ch in text if not ch.isspace() and ch.isprintable())


def query_words(query: str) -> list[tuple[str, str]]:
    """(word as typed after NFKC, folded word) for each word of a keyword query; all must match."""
    text = unicodedata.normalize("NFKC", (query or "")[:MAX_QUERY_LENGTH])
    seen: dict[str, str] = {}
    for word in text.split():
        token = fold(word)
        if token and token not in seen:
            seen[token] = word
    return [(word, token) for token, word in seen.items()][:MAX_TOKENS]


def build_search_text(values) -> str:
    """One line per field so that a word never matches across two fields."""
    return "\n".join(fold(v) for v in values if v)
