"""Two demo companies, each with an assessment with demo-expert@example.jp.

demo-company@example.jp: ② the expert is evaluating (company columns filled).
demo-company2@example.jp: the plan is agreed (the seed's 記入例 throughout).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from supporters.demo import demo_expert, demo_user

from .catalogue import install_seed_catalogue
from .models import (
    Assessment,
    Company,
    ImprovementPlan,
    Meeting,
    PlanItem,
    PlanVersion,
    SheetRevision,
    SheetRow,
    Side,
)
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


def _month_end(day: datetime.date, months: int) -> str:
    """The seed's way of naming a deadline: "2026/3 末" for ``months`` after ``day``."""
    month = day.month - 1 + months
    return f"{day.year + month // 12}/{month % 12 + 1} 末"


def _months(day: datetime.date, first: int, last: int) -> str:
    """ "2026/5~6" for the months ``first`` to ``last`` after ``day``."""
    a, b = day.month - 1 + first, day.month - 1 + last
    return f"{day.year + a // 12}/{a % 12 + 1}~{b % 12 + 1}"


def plan_items(agreed: datetime.date) -> list[tuple[str, str]]:
    """The seed's two plan items, with deadlines as far after the agreement as the seed's
    (計画策定 three months after its 12/25, 初回実施 in the fifth and sixth months)."""
    return [
        (
            "セキュリティインシデント発生時の対応に関する教育・訓練の立案と実施",
            f"(1) {_month_end(agreed, 3)}までに計画策定 (2) {_months(agreed, 5, 6)} に初回実施",
        ),
        ("セキュリティインシデント対応手順にバックアップ復旧手順を追記", f"{_month_end(agreed, 3)}までに整備"),
    ]


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _fill(assessment, *, expert_columns: bool, company_user, expert_user, company_on, expert_on=None):
    """Both sides' columns as the seed's example sheet, each saved once (a revision per side)."""
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
    saves = [(Side.COMPANY, company_user, company_on)]
    if expert_columns:
        saves.append((Side.EXPERT, expert_user, expert_on))
    rows = list(assessment.rows.all())
    for side, user, day in saves:
        SheetRevision.objects.create(
            assessment=assessment,
            side=side,
            version=1,
            saved_by=user,
            saved_at=_at(day, 18),
            data={str(row.middle_id): row.snapshot(side) for row in rows},
        )
        setattr(assessment, f"{side}_version", 1)
    assessment.save(update_fields=["company_version", "expert_version"])


def _meetings(assessment, days: list[datetime.date]):
    for number, day in enumerate(days, start=1):
        Meeting.objects.filter(assessment=assessment, number=number).update(
            date=day, start_time=datetime.time(14), end_time=datetime.time(17), attendees=ATTENDEES
        )


def _save_plan(plan, user, day, **fields):
    """One side's save of the plan on ``day``, kept as a version as services.save_plan keeps it."""
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.version += 1
    plan.save()
    PlanVersion.objects.filter(pk=plan.record_version(user).pk).update(saved_at=_at(day, 18))


def _company(email: str, name: str, **fields):
    user = demo_user(email, last_name="デモ", first_name="担当")
    company = Company.objects.filter(members=user).first()
    if company:
        return user, company, False
    company = Company.objects.create(name=name, **fields)
    company.members.add(user)
    return user, company, True


def load(stdout=None) -> int:
    """The two demo assessments, on one timeline that ends today (every date before it is past).

    デモ製作所: started 24 days ago, ① 10 days ago, the company's columns
    saved, ② in 11 days. AAA株式会社 follows the seed's 記入例: ① ② ③ three
    weeks apart, the plan drawn up two days after ③ (as 12/16 → 12/25) and
    agreed by both sides then, its deadlines counted from that day.
    """
    # Normally present from the data migration; a flushed database lacks it.
    install_seed_catalogue()
    expert_user, supporter = demo_expert()
    if supporter is None:
        return 0
    made = 0
    today = timezone.localdate()

    def ago(days: int) -> datetime.date:
        return today - datetime.timedelta(days=days)

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
        Assessment.objects.filter(pk=a.pk).update(created_at=_at(ago(24), 10))
        a.join()
        _meetings(a, [ago(10), today + datetime.timedelta(days=11)])
        _fill(a, expert_columns=False, company_user=user, expert_user=expert_user, company_on=ago(8))
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
        Assessment.objects.filter(pk=a.pk).update(created_at=_at(ago(56), 10))
        a.join()
        third, drawn_up = ago(14), ago(12)
        _meetings(a, [ago(56), ago(35), third])
        _fill(
            a,
            expert_columns=True,
            company_user=user2,
            expert_user=expert_user,
            company_on=ago(52),
            expert_on=ago(37),
        )
        a.submit_self_check()
        plan = submit_review(assessment=a, user=expert_user)
        plan.created_on = ago(35)
        plan.save(update_fields=["created_on"])
        PlanVersion.objects.filter(plan=plan).update(saved_at=_at(ago(35), 18), data=plan.content())
        _save_plan(plan, expert_user, ago(33), evaluation_summary=EVALUATION)
        plan.items.all().delete()
        PlanItem.objects.bulk_create(
            PlanItem(plan=plan, number=n, content=content, timing=timing)
            for n, (content, timing) in enumerate(plan_items(drawn_up), start=1)
        )
        _save_plan(plan, user2, drawn_up, created_on=drawn_up)
        agree_plan(plan=plan, side=Side.COMPANY, user=user2, version=plan.version)
        agree_plan(plan=plan, side=Side.EXPERT, user=expert_user, version=plan.version)
        ImprovementPlan.objects.filter(pk=plan.pk).update(
            company_agreed_at=_at(drawn_up, 15), expert_agreed_at=_at(drawn_up, 16)
        )
        made += 1

    if stdout:
        stdout.write(f"アセスメント {made}件を読み込みました(demo-company@example.jp、demo-company2@example.jp)。")
    return made
