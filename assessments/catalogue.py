"""The ★3 requirement catalogue as the seed's sheet lists it (2025年12月時点).

Kept as data so that a data migration installs it and tests (whose
transactional runs empty the tables) can install it again. Newer versions are
added by staff in the admin, never by editing this list: an assessment keeps
the version it started with.
"""

from __future__ import annotations

SEED_VERSION_NAME = "SCS★3 要求事項 2025年12月時点"

# (大分類, [(中分類, [(要求事項 No., 要求事項), ...]), ...])
SEED_CATALOGUE: list[tuple[str, list[tuple[str, list[tuple[str, str]]]]]] = [
    (
        "ガバナンスの整備",
        [
            (
                "役割、責任、権限",
                [
                    (
                        "1-2-1",
                        "セキュリティ推進活動を担当する部署、役員及び従業員を決定し、責任及び権限を割り当てること。",
                    ),
                    ("1-2-3", "守秘義務のルールを策定し、遵守させること。"),
                ],
            ),
            (
                "ポリシー",
                [
                    ("1-3-1", "自社のセキュリティ対応方針(ポリシー)を策定し、周知すること。"),
                ],
            ),
        ],
    ),
    (
        "取引先管理",
        [
            (
                "サイバーセキュリティサプライチェーンリスクマネジメント",
                [
                    ("2-1-1", "取引先と自社とのビジネス又はシステム上の関係を把握すること。"),
                    ("2-1-2", "他社との間で、機密情報の取扱い方法を明確にすること。"),
                    ("2-1-4", "セキュリティインシデント発生時の他社との役割及び責任を明確にすること。"),
                ],
            ),
        ],
    ),
    (
        "リスクの特定",
        [
            (
                "資産管理",
                [
                    ("3-1-1", "ハードウェア、OS及びソフトウェアの情報に関する一覧を作成すること。"),
                    ("3-1-2", "ネットワークの情報に関する一覧を作成すること。"),
                    ("3-1-3", "自社の機密情報を扱う外部情報サービスを管理すること。"),
                    ("3-1-4", "機密区分に応じた情報の管理ルールを定め、それに基づく管理を行うこと。"),
                ],
            ),
        ],
    ),
    (
        "攻撃等の防御",
        [
            (
                "アイデンティティ管理、認証、アクセス制御",
                [
                    ("4-1-1", "ユーザIDの発行・変更・削除の手続を定め、適切に運用すること。"),
                    ("4-1-2", "管理者IDの発行・変更・削除の手続を定め、適切に運用すること。"),
                    ("4-1-3", "システム及び情報の重要度に応じて認証の強度及び実装方法を決定すること。"),
                    ("4-1-4", "社内システムを構成する端末にアカウントロック制御を行うこと。"),
                    ("4-1-5", "パスワード設定に関するルールを定め、周知すること。"),
                    ("4-1-6", "パスワードの管理に関するルールを定め、周知すること。"),
                    ("4-1-7", "アクセス権の管理ルールを定めて、運用すること。"),
                ],
            ),
            (
                "意識向上とトレーニング",
                [
                    ("4-2-2", "セキュリティインシデント発生時の対応に関する教育・訓練を行うこと。"),
                ],
            ),
            (
                "データセキュリティ",
                [
                    ("4-3-4", "適切なバックアップを行うこと。"),
                ],
            ),
            (
                "プラットフォームセキュリティ",
                [
                    ("4-4-1", "ハードウェア・ソフトウェアの安全な構成を確立し、維持すること。"),
                    (
                        "4-4-4",
                        "ハードウェア・ソフトウェアへのセキュリティパッチ及びアップデートの適用に係る手続を策定し、実行すること。",
                    ),
                    ("4-4-5", "システムをマルウェア感染から保護すること。"),
                ],
            ),
            (
                "技術インフラのレジリエンス",
                [
                    ("4-5-1", "内外のネットワークを適切に分離し、境界部分を防護すること。"),
                ],
            ),
        ],
    ),
    (
        "攻撃等の検知",
        [
            (
                "継続的監視",
                [
                    ("5-1-1", "ネットワーク上の適切な場所でネットワーク接続及びデータ転送を監視すること。"),
                ],
            ),
        ],
    ),
    (
        "インシデントへの対応",
        [
            (
                "インシデント管理",
                [
                    ("6-1-1", "セキュリティインシデントへの対応手順、対応体制等を定めること。"),
                ],
            ),
        ],
    ),
    (
        "インシデントからの復旧",
        [
            (
                "インシデント復旧計画の実行",
                [
                    ("7-1-1", "事業上重要なシステムについて、事業継続の要件に沿った復旧に必要な準備を行うこと。"),
                ],
            ),
        ],
    ),
]


def install_seed_catalogue(apps=None):
    """Create the seed version if it is missing; return it.

    ``apps`` is the migration state's registry (or None for the live models).
    """
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    Version = apps.get_model("assessments", "CatalogueVersion")
    Major = apps.get_model("assessments", "MajorCategory")
    Middle = apps.get_model("assessments", "MiddleCategory")
    Requirement = apps.get_model("assessments", "Requirement")

    version, created = Version.objects.get_or_create(
        name=SEED_VERSION_NAME,
        defaults={"is_current": not Version.objects.filter(is_current=True).exists()},
    )
    if not created:
        return version
    middle_no = 0
    for major_no, (major_name, middles) in enumerate(SEED_CATALOGUE, start=1):
        major = Major.objects.create(version=version, number=major_no, name=major_name)
        for middle_name, requirements in middles:
            middle_no += 1
            middle = Middle.objects.create(major=major, number=middle_no, name=middle_name)
            for order, (code, text) in enumerate(requirements, start=1):
                Requirement.objects.create(version=version, middle=middle, code=code, text=text, order=order)
    return version
