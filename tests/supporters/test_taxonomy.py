from supporters.taxonomy import FEES, FORMS, INDUSTRIES, PERIODS, PREFECTURES, REGIONS, THEMES, prefectures_of


def test_regions_and_industries_have_the_issue_slugs_in_order():
    assert REGIONS.slugs == [
        "hokkaido",
        "tohoku",
        "kanto",
        "koshinetsu",
        "tokai",
        "kinki",
        "chugoku",
        "shikoku",
        "kyushu",
        "okinawa",
    ]
    assert INDUSTRIES.slugs == [
        "automotive",
        "semiconductor",
        "manufacturing-other",
        "construction",
        "defense",
        "electric-power",
        "transport",
        "retail",
        "wholesale",
        "services",
        "finance",
        "medical",
        "education",
        "other",
    ]
    assert THEMES.slugs == ["policy", "risk-analysis", "cloud", "incident-response", "staff-training", "assessment"]
    assert FORMS.slugs == ["visit", "remote", "lecture", "emergency", "product", "long-term"]
    assert len(PERIODS) == 5 and len(FEES) == 7


def test_every_prefecture_maps_to_exactly_one_region():
    assert len(PREFECTURES) == 47
    assert sum(len(prefectures_of(r.slug)) for r in REGIONS) == 47
    assert all(REGIONS.get(p.region) for p in PREFECTURES)


def test_hokuriku_belongs_to_koshinetsu():
    for name in ("富山県", "石川県", "福井県"):
        assert PREFECTURES.from_label(name).region == "koshinetsu"


def test_labels_match_after_normalisation():
    assert PREFECTURES.from_label("大阪").slug == "osaka"
    assert PREFECTURES.from_label("大阪府").slug == "osaka"
    assert PERIODS.from_label("1〜3か月").slug == "1-3-months"
    assert PERIODS.from_label("１～３か月").slug == "1-3-months"
    assert FEES.from_label("20,000円以上 ~30,000円未満").slug == "20k-30k"
    assert THEMES.from_label("情報整理・リスト分析").slug == "risk-analysis"
