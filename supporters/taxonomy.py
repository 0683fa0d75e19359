"""Every taxonomy of the list, in one place, with stable slugs.

Slugs are a public contract (they appear in shared and bookmarked URLs and in
exports), so a term's slug never changes. Terms stored as bit sets also keep a
fixed bit position: append new terms at the end, never reorder.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Term:
    slug: str
    label: str
    aliases: tuple[str, ...] = ()
    # What the term means, in plain words for someone who does not know the
    # experts' vocabulary (shown next to the filter and on /help/).
    description: str = ""


@dataclass(frozen=True)
class Taxonomy:
    """An ordered vocabulary; position in ``terms`` is the term's bit."""

    name: str
    terms: tuple[Term, ...]
    _by_slug: dict = field(init=False, repr=False, compare=False)
    _by_label: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        by_label = {}
        for term in self.terms:
            for text in (term.label, *term.aliases):
                by_label[normalize_label(text)] = term
        object.__setattr__(self, "_by_slug", {t.slug: t for t in self.terms})
        object.__setattr__(self, "_by_label", by_label)

    def __iter__(self):
        return iter(self.terms)

    def __len__(self):
        return len(self.terms)

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(t.slug, t.label) for t in self.terms]

    @property
    def slugs(self) -> list[str]:
        return [t.slug for t in self.terms]

    def get(self, slug: str) -> Term | None:
        return self._by_slug.get(slug)

    def label(self, slug: str) -> str:
        term = self._by_slug.get(slug)
        return term.label if term else ""

    @property
    def descriptions(self) -> dict[str, str]:
        return {t.slug: t.description for t in self.terms if t.description}

    def from_label(self, text: str) -> Term | None:
        """The term whose label (or alias) matches ``text`` after normalisation."""
        return self._by_label.get(normalize_label(text))

    def bit(self, slug: str) -> int:
        return 1 << self.slugs.index(slug)

    def mask(self, slugs) -> int:
        value = 0
        for slug in slugs:
            value |= self.bit(slug)
        return value

    def from_mask(self, value: int) -> list[str]:
        """Slugs set in ``value``, in taxonomy order."""
        return [t.slug for i, t in enumerate(self.terms) if value & (1 << i)]


def normalize_label(text: str) -> str:
    """Fold the ways people type a label in a spreadsheet into one form.

    NFKC turns full-width characters and the full-width tilde into ASCII; the
    wave dash (U+301C) is not covered by NFKC, so it is mapped by hand. Spaces
    and thousands separators carry no meaning in labels.
    """
    text = unicodedata.normalize("NFKC", text or "")
    text = text.replace("\u301c", "~").replace("\u2053", "~")
    return "".join(ch for ch in text if not ch.isspace() and ch != ",")


def _terms(*pairs) -> tuple[Term, ...]:
    return tuple(Term(*pair) for pair in pairs)


def _described(*triples) -> tuple[Term, ...]:
    """(slug, label, description) triples."""
    return tuple(Term(slug, label, description=description) for slug, label, description in triples)


REGIONS = Taxonomy(
    "支援対象地域",
    _terms(
        ("hokkaido", "北海道"),
        ("tohoku", "東北"),
        ("kanto", "関東"),
        ("koshinetsu", "甲信越"),
        ("tokai", "東海"),
        ("kinki", "近畿"),
        ("chugoku", "中国"),
        ("shikoku", "四国"),
        ("kyushu", "九州"),
        ("okinawa", "沖縄"),
    ),
)


@dataclass(frozen=True)
class Prefecture(Term):
    region: str = ""
    short: str = ""


def _pref(slug: str, label: str, region: str) -> Prefecture:
    short = label[:-1] if label[-1] in "都府県" and label != "北海道" else label
    return Prefecture(slug, label, (short,) if short != label else (), region=region, short=short)


# JIS X 0401 order. 富山・石川・福井 are in 甲信越 because the seed's ten
# regions have no 北陸 (the help page shows the whole mapping).
PREFECTURES = Taxonomy(
    "都道府県",
    (
        _pref("hokkaido", "北海道", "hokkaido"),
        _pref("aomori", "青森県", "tohoku"),
        _pref("iwate", "岩手県", "tohoku"),
        _pref("miyagi", "宮城県", "tohoku"),
        _pref("akita", "秋田県", "tohoku"),
        _pref("yamagata", "山形県", "tohoku"),
        _pref("fukushima", "福島県", "tohoku"),
        _pref("ibaraki", "茨城県", "kanto"),
        _pref("tochigi", "栃木県", "kanto"),
        _pref("gunma", "群馬県", "kanto"),
        _pref("saitama", "埼玉県", "kanto"),
        _pref("chiba", "千葉県", "kanto"),
        _pref("tokyo", "東京都", "kanto"),
        _pref("kanagawa", "神奈川県", "kanto"),
        _pref("niigata", "新潟県", "koshinetsu"),
        _pref("toyama", "富山県", "koshinetsu"),
        _pref("ishikawa", "石川県", "koshinetsu"),
        _pref("fukui", "福井県", "koshinetsu"),
        _pref("yamanashi", "山梨県", "koshinetsu"),
        _pref("nagano", "長野県", "koshinetsu"),
        _pref("gifu", "岐阜県", "tokai"),
        _pref("shizuoka", "静岡県", "tokai"),
        _pref("aichi", "愛知県", "tokai"),
        _pref("mie", "三重県", "tokai"),
        _pref("shiga", "滋賀県", "kinki"),
        _pref("kyoto", "京都府", "kinki"),
        _pref("osaka", "大阪府", "kinki"),
        _pref("hyogo", "兵庫県", "kinki"),
        _pref("nara", "奈良県", "kinki"),
        _pref("wakayama", "和歌山県", "kinki"),
        _pref("tottori", "鳥取県", "chugoku"),
        _pref("shimane", "島根県", "chugoku"),
        _pref("okayama", "岡山県", "chugoku"),
        _pref("hiroshima", "広島県", "chugoku"),
        _pref("yamaguchi", "山口県", "chugoku"),
        _pref("tokushima", "徳島県", "shikoku"),
        _pref("kagawa", "香川県", "shikoku"),
        _pref("ehime", "愛媛県", "shikoku"),
        _pref("kochi", "高知県", "shikoku"),
        _pref("fukuoka", "福岡県", "kyushu"),
        _pref("saga", "佐賀県", "kyushu"),
        _pref("nagasaki", "長崎県", "kyushu"),
        _pref("kumamoto", "熊本県", "kyushu"),
        _pref("oita", "大分県", "kyushu"),
        _pref("miyazaki", "宮崎県", "kyushu"),
        _pref("kagoshima", "鹿児島県", "kyushu"),
        _pref("okinawa", "沖縄県", "okinawa"),
    ),
)


def prefectures_of(region_slug: str) -> list[Prefecture]:
    return [p for p in PREFECTURES if p.region == region_slug]


INDUSTRIES = Taxonomy(
    "得意とする業界",
    _terms(
        ("automotive", "自動車産業"),
        ("semiconductor", "半導体産業"),
        ("manufacturing-other", "その他製造業"),
        ("construction", "建設業"),
        ("defense", "防衛産業"),
        ("electric-power", "電力産業"),
        ("transport", "運輸・交通業"),
        ("retail", "小売業"),
        ("wholesale", "卸売業"),
        ("services", "サービス業"),
        ("finance", "金融業"),
        ("medical", "医療"),
        ("education", "教育"),
        ("other", "その他"),
    ),
)

# The six guidance themes of seed §4 (①–⑤ and ⑥ セキュリティアセスメント).
THEMES = Taxonomy(
    "支援可能な指導テーマ",
    (
        Term(
            "policy",
            "規程整備",
            description="情報セキュリティの基本方針や、パスワード・持ち出し・取引先とのやりとりなど、社内のルールを一緒に作ります。",
        ),
        # The FY2025 list's header misspells this theme (リスト分析); accept both.
        Term(
            "risk-analysis",
            "情報整理・リスク分析",
            ("情報整理・リスト分析",),
            description="守るべき情報やパソコン・機器を洗い出し、どこに危険があるか、何から手を付けるかを整理します。",
        ),
        Term(
            "cloud",
            "クラウドセキュリティ対策",
            description="メールやファイル共有、会計などのクラウドサービスを安全に使うための設定やルールを助言します。",
        ),
        Term(
            "incident-response",
            "インシデント対応",
            description="ウイルス感染や不正アクセス、情報漏えいなどが起きたときの対応と、起きたときに備えた手順づくりを支援します。",
        ),
        Term(
            "staff-training",
            "従業員教育",
            description="不審なメールの見分け方など、社員向けの研修や訓練を行います。",
        ),
        Term(
            "assessment",
            "セキュリティアセスメント",
            description="取引先から求められることがある「SCS評価制度★3」に沿って、自社の対策の状況を専門家が評価し、改善計画づくりを支援します(3回の訪問)。",
        ),
    ),
)

FORMS = Taxonomy(
    "支援可能な形態",
    _described(
        ("visit", "訪問", "専門家が会社に来て、現場を見ながら相談に乗ります。"),
        ("remote", "リモート", "ビデオ会議や電話、メールで相談できます。遠くの専門家にも頼めます。"),
        ("lecture", "講演・研修", "社員や取引先向けに、講演や研修の講師をします。"),
        ("emergency", "緊急対応", "被害が起きたときに、急ぎの相談や対応に応じます。"),
        ("product", "製品導入", "セキュリティ製品やサービスを選ぶ・導入するときに助言します。"),
        ("long-term", "長期支援", "顧問のように、継続して相談に乗ります。"),
    ),
)

PERIODS = Taxonomy(
    "支援期間",
    _described(
        ("spot", "スポット対応", "1回だけの相談や、短い作業を1つだけ頼めます。"),
        ("1-3-months", "1~3か月", "1か月から3か月ほどかけて支援します。"),
        ("3-6-months", "3か月~半年", "3か月から半年ほどかけて支援します。"),
        ("6-12-months", "半年~1年", "半年から1年ほどかけて支援します。"),
        ("over-1-year", "1年以上", "1年以上、継続して支援します。"),
    ),
)

FEES = Taxonomy(
    "支援料金(1回/2時間あたり)",
    _described(
        ("free", "無償", "料金はかかりません(交通費などは相談してください)。"),
        ("under-10k", "10,000円未満", "1回(2時間)あたり1万円より安い目安です。"),
        ("10k-20k", "10,000円以上~20,000円未満", "1回(2時間)あたり1万円から2万円の目安です。"),
        ("20k-30k", "20,000円以上~30,000円未満", "1回(2時間)あたり2万円から3万円の目安です。"),
        ("30k-40k", "30,000円以上~40,000円未満", "1回(2時間)あたり3万円から4万円の目安です。"),
        ("40k-plus", "40,000円以上", "1回(2時間)あたり4万円以上の目安です。"),
        ("negotiable", "応相談", "内容に応じて、専門家と相談して決めます。"),
    ),
)

AFFILIATIONS = Taxonomy(
    "所属状況",
    _terms(
        ("employed", "企業勤務"),
        ("independent", "独立"),
        ("association", "団体職員"),
        ("public-servant", "公務員"),
        ("other", "その他"),
    ),
)

EXPERIENCE = Taxonomy(
    "セキュリティ実務経験",
    _terms(
        ("under-3", "3年未満"),
        ("3-5", "3年以上5年未満"),
        ("5-10", "5年以上10年未満"),
        ("over-10", "10年以上"),
    ),
)

NATIONWIDE_LABEL = "全国"

# Regions that share a border (by land or a bridge), to widen a search that found nobody.
NEIGHBOURS = {
    "hokkaido": ("tohoku",),
    "tohoku": ("hokkaido", "kanto", "koshinetsu"),
    "kanto": ("tohoku", "koshinetsu", "tokai"),
    "koshinetsu": ("tohoku", "kanto", "tokai", "kinki"),
    "tokai": ("kanto", "koshinetsu", "kinki"),
    "kinki": ("koshinetsu", "tokai", "chugoku", "shikoku"),
    "chugoku": ("kinki", "shikoku", "kyushu"),
    "shikoku": ("kinki", "chugoku", "kyushu"),
    "kyushu": ("chugoku", "shikoku", "okinawa"),
    "okinawa": ("kyushu",),
}

# Words people use for a region that is not one of the ten labels.
REGION_WORDS = {
    "関西": "kinki",
    "関東地方": "kanto",
    "近畿地方": "kinki",
    "東北地方": "tohoku",
    "中国地方": "chugoku",
    "九州地方": "kyushu",
    "四国地方": "shikoku",
    "東海地方": "tokai",
}


@dataclass(frozen=True)
class Place:
    """A place a keyword names: a prefecture or one of the ten regions."""

    kind: str  # "prefecture" or "region"
    slug: str
    label: str


def place_named(word: str) -> Place | None:
    """The place a word names ("京都", "京都府", "近畿", "関西"), or None when it names none."""
    text = normalize_label(word)
    pref = PREFECTURES.from_label(text)
    if pref is not None:
        return Place("prefecture", pref.slug, pref.label)
    region = REGIONS.from_label(text) or REGIONS.get(REGION_WORDS.get(text, ""))
    if region is not None:
        return Place("region", region.slug, region.label)
    return None
