"""Distinct filter URLs of the public list: the "tail" no page cache can hold.

``distinct_list_urls(3000)`` draws combinations the way people filter: a
region or two, an industry or two, now and then a theme, form, period, fee,
the two flags, a keyword from a short list, a sort order and a page (1-3);
every URL is different, so each is a miss of the whole-page cache.
"""

from __future__ import annotations

import random
import urllib.parse

from supporters.taxonomy import FEES, FORMS, INDUSTRIES, PERIODS, REGIONS, THEMES

KEYWORDS = ["大阪", "監査", "クラウド", "規程", "東京", "製造", "セキュリティ", "クラウド 規程"]
SORTS = ["", "registration_no", "-registration_no", "updated", "-updated", "cases", "-cases"]


def _some(rng: random.Random, slugs: list[str], chance: float, most: int) -> list[str]:
    return rng.sample(slugs, rng.randint(1, most)) if rng.random() < chance else []


def distinct_list_urls(count: int, seed: int = 15) -> list[str]:
    rng = random.Random(seed)
    urls: dict[str, None] = {}
    while len(urls) < count:
        pairs = [("region", s) for s in _some(rng, REGIONS.slugs, 0.7, 2)]
        pairs += [("industry", s) for s in _some(rng, INDUSTRIES.slugs, 0.5, 2)]
        pairs += [("theme", s) for s in _some(rng, THEMES.slugs, 0.3, 1)]
        pairs += [("form", s) for s in _some(rng, FORMS.slugs, 0.2, 1)]
        pairs += [("period", s) for s in _some(rng, PERIODS.slugs, 0.15, 1)]
        pairs += [("fee", s) for s in _some(rng, FEES.slugs, 0.2, 2)]
        pairs += [(flag, "1") for flag in ("first_free", "fresh") if rng.random() < 0.15]
        if rng.random() < 0.2:
            pairs.append(("q", rng.choice(KEYWORDS)))
        if sort := rng.choice(SORTS):
            pairs.append(("sort", sort))
        if (page := rng.choice([1, 1, 1, 2, 3])) > 1:
            pairs.append(("page", str(page)))
        urls["/supporters/?" + urllib.parse.urlencode(pairs)] = None
    return list(urls)
