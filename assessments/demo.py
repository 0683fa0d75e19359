"""Two demo companies, each with an assessment with demo-expert@example.jp.

demo-company@example.jp: ② the expert is evaluating (company columns filled).
demo-company2@example.jp: the plan is agreed (the seed's 記入例 throughout).
"""

from __future__ import annotations

import datetime

from supporters.demo import demo_expert, demo_user

from .catalogue import install_seed_catalogue
from .models import Company, Meeting, PlanItem, SheetRow, Side
from .services import agree_plan, create_assessment, submit_review

R, P, E = SheetRow.Result, SheetRow.Procedure, SheetRow.Evaluation

# One tuple per 中分類 in sheet order, after the seed's example sheet:
# (確認結果, 結果に関するコメント, 評価手続き, 評価結果, 専門家コメント)
EXAMPLE_ROWS = [
    (
        R.DONE,
        "IT担当者、担当役員を明示。従業員から誓約書提出済。",
        [P.DOCUMENTS, P.HEARING],
        E.CONFORM,
        "組織図、誓約書の内容等を確認し、運用されていることを確認した。",
    ),
    (
        R.DONE,
        "社内ポータルやWebにも掲載している。",
        [P.DOCUMENTS, P.SYSTEM, P.HEARING],
        E.CONFORM,
        "社内ポータルでの掲載状況や就業規則に規定されていることを確認した。",
    ),
    (
        R.PARTIAL,
        "主要な取引先とは秘密保持契約を締結し、情報の取扱いや障害発生時の連絡体制を明確にしている。",
        [P.DOCUMENTS, P.OBSERVATION],
        E.CONFORM,
        "一部取引先の秘密保持契約に見直しの余地があるものの、概ね対応できている。",
    ),
    (
        R.DONE,
        "管理ルールの手順書をもとに、運用管理システムの各種機能で対応している。",
        [P.DOCUMENTS, P.SYSTEM, P.OBSERVATION, P.HEARING],
        E.CONFORM,
        "手順書と運用管理システムの機能を確認し、適切に管理されている。",
    ),
    (
        R.DONE,
        "管理ルールの手順書をもとに、運用システムで対応できている。",
        [P.DOCUMENTS, P.SYSTEM],
        E.CONFORM,
        "ID管理とパスワードルールの運用を確認した。",
    ),
    (
        R.NOT_DONE,
        "従業員へのセキュリティ教育は実施しているが、インシデント発生時の訓練は未実施。",
        [P.DOCUMENTS, P.SYSTEM, P.HEARING],
        E.IMPROVE,
        "現在の社内ポータルでのセキュリティ教育に加え、インシデント発生時の訓練が必須と考える。",
    ),
    (
        R.DONE,
        "重要データは、社内サーバ、クラウド共に、日次でバックアップしている。",
        [P.SYSTEM, P.OBSERVATION, P.HEARING],
        E.IMPROVE,
        "ネットワークから切り離したバックアップ保管ができていないことが判明し、早急に検討が必要。",
    ),
    (
        R.DONE,
        "管理ルールの手順書をもとに、運用管理システムの各種機能で対応できている。",
        [P.DOCUMENTS, P.SYSTEM, P.OBSERVATION, P.HEARING],
        E.CONFORM,
        "手順書と運用管理システムの機能を確認し、適切に管理されている。",
    ),
    (
        R.DONE,
        "UTMを導入し、境界防御を行っている。",
        [P.SYSTEM, P.OBSERVATION, P.HEARING],
        E.CONFORM,
        "UTMの設定と運用状況を確認した。",
    ),
    (
        R.PARTIAL,
        "UTMでの監視に加え、リモートワーク用PCについて、来期以降にEDRの導入を検討する予定。",
        [P.OBSERVATION, P.HEARING],
        E.IMPROVE,
        "当企業のシステム環境において、EDRの導入は有効な対策であり、ぜひ実施いただきたい。",
    ),
    (
        R.PREPARING,
        "連絡先一覧表は作成済。手順書は来月完成予定。",
        [P.DOCUMENTS, P.HEARING],
        E.IMPROVE,
        "手順書の作成が準備中であるが、従業員への周知に十分留意して実装することが望まれる。",
    ),
    (
        R.NOT_DONE,
        "現在ある地震対応のBCPを、セキュリティインシデント対応の観点から見直す。",
        [P.HEARING],
        E.IMPROVE,
        "セキュリティインシデントへの対応手順書をもとに、BCPへの対策整備を進めていただきたい。",
    ),
]

ATTENDEES = "代表取締役社長 情報太郎\n管理部情報システム部 部長 佐藤一郎"
EVALUATION = (
    "規程類はよく整備され、情報セキュリティ対策もしっかり運用されているが、従業員に対するセキュリティインシデント発生時の"
    "対応に関する教育・訓練が実施されていないところが課題である。またバックアップを遠隔地の事業所で保管しているが、"
    "復旧手順が定められておらず、インシデント発生時の対応に問題が残る。"
)
PLAN_ITEMS = [
    (
        "セキュリティインシデント発生時の対応に関する教育・訓練の立案と実施",
        "(1) 2026/3 末までに計画策定 (2) 2026/5~6 に初回実施",
    ),
    ("セキュリティインシデント対応手順にバックアップ復旧手順を追記", "2026/3 末までに整備"),
]


def _fill(assessment, *, expert_columns: bool):
    for row, (result, comment, procedures, evaluation, expert_comment) in zip(
        assessment.rows.order_by("middle__number"), EXAMPLE_ROWS, strict=False
    ):
        row.result, row.company_comment = result, comment
        if expert_columns:
            row.procedures, row.evaluation, row.expert_comment = (
                [p.value for p in procedures],
                evaluation,
                expert_comment,
            )
        row.save()


def _meetings(assessment, days: list[datetime.date]):
    for number, day in enumerate(days, start=1):
        Meeting.objects.filter(assessment=assessment, number=number).update(
            date=day, start_time=datetime.time(14), end_time=datetime.time(17), attendees=ATTENDEES
        )


def _company(email: str, name: str, **fields):
    user = demo_user(email, last_name="デモ", first_name="担当")
    company = Company.objects.filter(members=user).first()
    if company:
        return user, company, False
    company = Company.objects.create(name=name, **fields)
    company.members.add(user)
    return user, company, True


def load(stdout=None) -> int:
    # Normally present from the data migration; a flushed database lacks it.
    install_seed_catalogue()
    expert_user, supporter = demo_expert()
    if supporter is None:
        return 0
    made = 0
    today = datetime.date.today()

    user, company, created = _company(
        "demo-company@example.jp", "デモ製作所株式会社", industry="manufacturing-other", employees=45
    )
    if created:
        a = create_assessment(
            company=company,
            started_by=Side.COMPANY,
            expert=supporter,
            responsible_title="情報システム部長",
            responsible_name="鈴木次郎",
        )
        a.join()
        _meetings(a, [today - datetime.timedelta(days=10), today + datetime.timedelta(days=11)])
        _fill(a, expert_columns=False)
        a.submit_self_check()
        made += 1

    user2, company2, created = _company("demo-company2@example.jp", "AAA株式会社", industry="wholesale", employees=120)
    if created:
        a = create_assessment(
            company=company2,
            started_by=Side.EXPERT,
            expert=supporter,
            responsible_title="情報システム部長",
            responsible_name="鈴木次郎",
        )
        a.join()
        _meetings(
            a,
            [
                today - datetime.timedelta(days=42),
                today - datetime.timedelta(days=21),
                today - datetime.timedelta(days=7),
            ],
        )
        _fill(a, expert_columns=True)
        a.submit_self_check()
        plan = submit_review(assessment=a)
        plan.evaluation_summary = EVALUATION
        plan.created_on = today - datetime.timedelta(days=7)
        plan.save()
        plan.items.all().delete()
        PlanItem.objects.bulk_create(
            PlanItem(plan=plan, number=n, content=content, timing=timing)
            for n, (content, timing) in enumerate(PLAN_ITEMS, start=1)
        )
        agree_plan(plan=plan, side=Side.COMPANY, user=user2)
        agree_plan(plan=plan, side=Side.EXPERT, user=expert_user)
        made += 1

    if stdout:
        stdout.write(f"アセスメント {made}件を読み込みました(demo-company@example.jp、demo-company2@example.jp)。")
    return made
