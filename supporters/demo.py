"""A deterministic demo list of 340 experts in the seed's style (姓001 名001 …).

The rows are generated in the import format and go through the importer, so
the demo also exercises the real import path.
"""

from __future__ import annotations

import datetime
import random

from .importing import parse_table
from .services import import_supporters
from .tabular import HEADERS, YES
from .taxonomy import (
    AFFILIATIONS,
    EXPERIENCE,
    FEES,
    FORMS,
    INDUSTRIES,
    PERIODS,
    PREFECTURES,
    REGIONS,
    THEMES,
    prefectures_of,
)

DEMO_SIZE = 340
SEED = 20260216  # the day the FY2025 list reached 340 entries

# More experts live and work in 関東 and 近畿, as in the real list.
REGION_WEIGHTS = {
    "hokkaido": 4,
    "tohoku": 5,
    "kanto": 38,
    "koshinetsu": 5,
    "tokai": 11,
    "kinki": 19,
    "chugoku": 5,
    "shikoku": 3,
    "kyushu": 8,
    "okinawa": 2,
}
PREFECTURE_WEIGHTS = {
    "tokyo": 8,
    "kanagawa": 3,
    "osaka": 5,
    "aichi": 4,
    "fukuoka": 3,
    "hyogo": 2,
    "saitama": 2,
    "chiba": 2,
}
CITIES = {
    "hokkaido": ["札幌市", "旭川市", "函館市"],
    "miyagi": ["仙台市"],
    "tokyo": ["千代田区", "港区", "新宿区", "世田谷区", "八王子市", "武蔵野市"],
    "kanagawa": ["横浜市", "川崎市", "相模原市", "藤沢市"],
    "saitama": ["さいたま市", "川越市"],
    "chiba": ["千葉市", "船橋市", "柏市"],
    "aichi": ["名古屋市", "岡崎市", "豊田市"],
    "osaka": ["大阪市", "堺市", "豊中市", "吹田市"],
    "hyogo": ["神戸市", "姫路市", "西宮市"],
    "kyoto": ["京都市", "宇治市"],
    "nara": ["奈良市", "生駒市"],
    "fukuoka": ["福岡市", "北九州市", "久留米市"],
    "hiroshima": ["広島市", "福山市"],
    "shizuoka": ["静岡市", "浜松市"],
    "niigata": ["新潟市", "長岡市"],
    "ishikawa": ["金沢市"],
    "okinawa": ["那覇市", "沖縄市"],
}
QUALIFICATIONS = [
    "システム監査技術者",
    "ISMS27001審査員補",
    "情報セキュリティ監査人補",
    "中小企業診断士",
    "ITストラテジスト",
    "ネットワークスペシャリスト",
    "データベーススペシャリスト",
    "プロジェクトマネージャ",
    "CISSP",
    "技術士(情報工学部門)",
]
ORGANIZATIONS = [
    "",
    "",
    "株式会社サンプル情報",
    "デモ電機株式会社",
    "例示セキュリティ合同会社",
    "架空市役所",
    "サンプル商工会",
]
GROUPS = ["", "", "", "地域SECUNITY", "情報処理安全確保支援士会", "ITコーディネータ協会"]
PR_SENTENCES = [
    "中小企業の情報セキュリティ規程づくりを、現場に合わせて一緒に進めます。",
    "製造業の工場ネットワークの対策に長く携わってきました。",
    "クラウドサービスの安全な使い方をわかりやすく説明します。",
    "インシデント発生時の初動対応を支援します。",
    "従業員向けの研修・標的型メール訓練の実績があります。",
    "SCS評価制度★3に向けたセキュリティアセスメントを支援します。",
    "大阪を中心に関西一円で訪問支援しています。",
    "医療機関・介護施設のセキュリティ対策の経験があります。",
]
SUPPORT_DESCRIPTIONS = [
    "情報セキュリティ規程の策定支援",
    "リスク分析と対策の優先順位付け",
    "クラウド利用ルールの整備",
    "ランサムウェア被害からの復旧支援",
    "従業員教育の企画と講師",
    "取引先から求められたセキュリティチェックシートへの回答支援",
]


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _pick_prefecture(rng: random.Random, region: str) -> str:
    prefs = [p.slug for p in prefectures_of(region)]
    return rng.choices(prefs, weights=[PREFECTURE_WEIGHTS.get(p, 1) for p in prefs])[0]


def _yes(flag: bool) -> str:
    return YES if flag else ""


def build_rows(size: int = DEMO_SIZE, seed: int = SEED) -> list[list[str]]:
    """Header plus ``size`` data rows, always the same for the same seed."""
    rng = random.Random(seed)
    rows = [list(HEADERS)]
    number = 10
    base_day = datetime.date(2026, 11, 1)
    for i in range(1, size + 1):
        number += rng.randint(1, 12)
        region = _weighted(rng, REGION_WEIGHTS)
        pref = _pick_prefecture(rng, region)
        pref_label = PREFECTURES.label(pref)
        city = rng.choice(CITIES.get(pref, [pref_label.rstrip("都府県") + "市"]))

        roll = rng.random()
        if roll < 0.1:
            area = ["全国"]
        elif roll < 0.45:
            area = [REGIONS.label(region)]
            if rng.random() < 0.3:
                area.append(REGIONS.label(_weighted(rng, REGION_WEIGHTS)))
        else:
            neighbours = [p.short for p in prefectures_of(region)]
            area = sorted(
                set(rng.sample(neighbours, k=min(len(neighbours), rng.randint(1, 3)))) | {PREFECTURES.get(pref).short}
            )

        has_support = rng.random() < 0.7
        record = f"{rng.randint(1, 40)}件/{rng.randint(1, 20)}年" if has_support else ""
        themes = {t.slug: rng.random() < (0.45 if t.slug == "assessment" else 0.7) for t in THEMES}
        if not any(themes.values()):
            themes["policy"] = True
        periods = {t.slug: rng.random() < 0.6 for t in PERIODS}
        forms = {t.slug: rng.random() < (0.8 if t.slug in ("visit", "remote") else 0.4) for t in FORMS}
        industries = rng.sample(INDUSTRIES.terms, k=rng.randint(0, 5))
        updated = base_day - datetime.timedelta(days=rng.randint(0, 600))
        valid_until = datetime.date(2027 + rng.randint(0, 2), rng.choice([4, 10]), 1)

        values = {
            "登録番号": f"{number:06d}",
            "氏名": f"姓{i:03d} 名{i:03d}",
            "氏名(カナ)": f"セイ{i:03d} メイ{i:03d}",
            "公開用メールアドレス": f"expert{i:03d}@example.jp",
            "居住地": pref_label + city,
            "所属状況": rng.choices(AFFILIATIONS.terms, weights=[60, 25, 6, 5, 4])[0].label,
            "所属組織": rng.choice(ORGANIZATIONS),
            "他の資格": "、".join(rng.sample(QUALIFICATIONS, k=rng.randint(0, 2))),
            "所属・関係する団体": rng.choice(GROUPS),
            "自己PR": rng.choice(PR_SENTENCES) if rng.random() < 0.8 else "",
            "参考URL": f"https://example.jp/experts/{i:03d}" if rng.random() < 0.3 else "",
            "セキュリティ実務経験": rng.choice(EXPERIENCE.terms).label,
            "企業支援経験": "経験あり" if has_support else "経験なし",
            "企業支援実績": record,
            "企業支援内容": "、".join(rng.sample(SUPPORT_DESCRIPTIONS, k=rng.randint(1, 2))) if has_support else "",
            "支援対象地域": "/".join(area),
            "得意とする業界": "/".join(t.label for t in sorted(industries, key=INDUSTRIES.terms.index)) or "該当なし",
            "支援料金": rng.choices(FEES.terms, weights=[6, 10, 18, 22, 14, 8, 22])[0].label,
            "初回指導割引": _yes(rng.random() < 0.35),
            "登録有効期限": valid_until.isoformat(),
            "最終更新日": updated.isoformat(),
        }
        for term in THEMES:
            values[term.label] = _yes(themes[term.slug])
        for term in PERIODS:
            values[term.label] = _yes(periods[term.slug])
        for term in FORMS:
            values[term.label] = _yes(forms[term.slug])
        rows.append([values[h] for h in HEADERS])
    return rows


def load(stdout=None) -> int:
    """Import the demo list; returns the number of entries."""
    result = parse_table(build_rows())
    if result.errors:  # the generator and the importer disagree: a bug here
        raise RuntimeError("; ".join(map(str, result.errors[:5])))
    summary = import_supporters(rows=result.rows)
    private = keep_addresses_private()
    if stdout:
        stdout.write(
            f"支援者 {summary.created + summary.updated}件を読み込みました(うち{private}件はメールアドレス非公開で、個票に相談フォームが出ます)。"
        )
    return summary.created + summary.updated


# Every PRIVATE_EVERY-th demo entry keeps its address private, as many experts
# asked (seed §3): its 個票 then shows the contact relay form instead of a mail link.
PRIVATE_EVERY = 5


def keep_addresses_private() -> int:
    """Hide the e-mail address of some demo entries (not the first: demo-expert's own)."""
    from .models import Supporter

    numbers = list(Supporter.objects.published().order_by("registration_no").values_list("registration_no", flat=True))
    chosen = numbers[1::PRIVATE_EVERY]
    return Supporter.objects.filter(registration_no__in=chosen).update(hidden_fields=["email"])


DEMO_PASSWORD = "demo-password"


def demo_user(email: str, **attrs):
    """A demo account (created only by load_demo) with the demo password."""
    from django.contrib.auth import get_user_model

    from config.auth import username_for

    User = get_user_model()
    user, created = User.objects.get_or_create(username=username_for(email), defaults={"email": email, **attrs})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def demo_expert():
    """demo-expert@example.jp, owner of the first published demo entry.

    Every app's demo uses this one expert, so the accounts in the README
    show one consistent story.
    """
    from .models import Supporter

    user = demo_user("demo-expert@example.jp", first_name="名001", last_name="姓001")
    supporter = Supporter.objects.published().order_by("registration_no").first()
    if supporter and supporter.user_id != user.pk:
        supporter.user = user
        supporter.save(update_fields=["user"])
    return user, supporter


# The demo staff account's authenticator secret (base32, for any TOTP app or
# `oathtool --totp -b`), printed in the README. Demo data only.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def demo_staff():
    """demo-staff@example.jp: an IPA職員 staff account with a known second factor."""
    import base64

    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from config.roles import IPA_STAFF_GROUP, sync_staff_group

    staff = demo_user("demo-staff@example.jp", is_staff=True, first_name="職員", last_name="デモ")
    group = Group.objects.filter(name=IPA_STAFF_GROUP).first() or sync_staff_group()
    staff.groups.add(group)
    TOTPDevice.objects.get_or_create(
        user=staff,
        name="デモ用認証アプリ",
        defaults={"confirmed": True, "key": base64.b32decode(DEMO_TOTP_SECRET).hex()},
    )
    return staff
