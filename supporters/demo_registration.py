"""Demo of the registration lifecycle: the demo expert's pending change,
five pending applications (900001–900005) and the IPA staff account."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Group

from config.roles import IPA_STAFF_GROUP, sync_staff_group

from . import services
from .demo import demo_expert, demo_user
from .models import ChangeRequest, Supporter, entry_values

PENDING_NUMBERS = [f"{900000 + n:06d}" for n in range(1, 6)]
PREFECTURES = ["tokyo", "osaka", "aichi", "fukuoka", "hokkaido"]


def demo_staff():
    """demo-staff@example.jp: an IPA職員 staff account."""
    staff = demo_user("demo-staff@example.jp", is_staff=True, first_name="職員", last_name="デモ")
    group = Group.objects.filter(name=IPA_STAFF_GROUP).first() or sync_staff_group()
    staff.groups.add(group)
    return staff


def load(stdout=None) -> None:
    staff = demo_staff()
    user, entry = demo_expert()
    if entry and not ChangeRequest.objects.filter(supporter=entry).exists():
        data = entry_values(entry)
        data["self_pr"] = "中小企業の情報セキュリティ規程づくりと、SCS評価制度★3の取得準備を支援します。"
        data["fee"] = "10k-20k"
        services.submit_change(supporter=entry, data=data, by=user)

    for i, number in enumerate(PENDING_NUMBERS, start=1):
        if Supporter.objects.filter(registration_no=number).exists():
            continue
        applicant = demo_user(f"demo-applicant{i}@example.jp")
        supporter = Supporter(
            registration_no=number,
            name=f"申請{i:02d} 太郎",
            name_kana=f"シンセイ{i:02d} タロウ",
            email=applicant.email,
            hidden_fields=["email"],
            residence_prefecture=PREFECTURES[i - 1],
            affiliation="employed",
            experience="5-10",
            support_experience="yes",
            support_cases=i,
            support_years=i,
            nationwide=i == 1,
            prefectures=[] if i == 1 else [PREFECTURES[i - 1]],
            themes=["policy", "staff-training"],
            forms=["visit", "remote"],
            valid_until=datetime.date(2028, 3, 31),
        )
        services.submit_application(supporter=supporter, by=applicant)
    if stdout:
        stdout.write(
            f"デモ: 職員 {staff.email}、変更申請中の専門家 {user.email}、審査待ちの新規申請 {len(PENDING_NUMBERS)}件。"
        )
