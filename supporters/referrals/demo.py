"""Demo referrals: demo-chamber@example.jp at a demo 商工会議所, cases in
several states, two of them referred to demo-expert@example.jp, and one
waiting for the answer of an expert without an account, who got it by e-mail
(docs/decisions/0710)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from supporters.demo import demo_expert, demo_user
from supporters.models import Supporter
from supporters.services import site_url

from . import services
from .models import EXPERT, ORGANISATION, Case, Membership, Organisation, Referral, ReferralEvent, ReferralStatus

CHAMBER_EMAIL = "demo-chamber@example.jp"
SECUNITY_EMAIL = "demo-secunity@example.jp"

# (company, prefecture, industry, employees, themes, forms, periods, budget, months ago, candidates, referral path)
CASES = [
    (
        "株式会社デモ精機",
        "tokyo",
        "manufacturing-other",
        45,
        ["policy", "risk-analysis"],
        ["visit"],
        ["1-3-months"],
        "20k-30k",
        5,
        3,
        [ReferralStatus.ACCEPTED, ReferralStatus.MET, ReferralStatus.STARTED],
    ),
    ("デモ物流有限会社", "saitama", "transport", 18, ["incident-response"], ["remote"], ["spot"], "10k-20k", 0, 2, []),
    (
        "サンプル商店株式会社",
        "kanagawa",
        "retail",
        9,
        ["staff-training", "cloud"],
        ["visit", "lecture"],
        ["spot"],
        "negotiable",
        2,
        2,
        [ReferralStatus.ACCEPTED, ReferralStatus.MET, ReferralStatus.STARTED, ReferralStatus.COMPLETED],
    ),
    (
        "例示建設株式会社",
        "chiba",
        "construction",
        120,
        ["assessment"],
        ["visit"],
        ["3-6-months"],
        "30k-40k",
        3,
        2,
        [ReferralStatus.DECLINED],
    ),
    (
        "デモ食品株式会社",
        "tokyo",
        "manufacturing-other",
        60,
        ["policy", "assessment"],
        ["visit", "remote"],
        ["6-12-months"],
        "",
        1,
        1,
        [],
    ),
    (
        "デモ会計事務所",
        "osaka",
        "services",
        6,
        ["cloud"],
        ["remote"],
        ["spot"],
        "under-10k",
        4,
        1,
        [ReferralStatus.ACCEPTED, ReferralStatus.FAILED],
    ),
]


def _organisations():
    chamber, _ = Organisation.objects.get_or_create(
        name="デモ商工会議所",
        defaults={
            "kind": Organisation.Kind.CHAMBER,
            "region": "kanto",
            "contact_name": "中小企業相談窓口",
            "contact_email": "soudan@chamber.example.jp",
            "contact_phone": "03-0000-0000",
            "address": "東京都千代田区(デモ)",
        },
    )
    secunity, _ = Organisation.objects.get_or_create(
        name="デモ地域SECUNITY(近畿)",
        defaults={"kind": Organisation.Kind.SECUNITY, "region": "kinki", "contact_email": "info@secunity.example.jp"},
    )
    for email, organisation in ((CHAMBER_EMAIL, chamber), (SECUNITY_EMAIL, secunity)):
        Membership.objects.get_or_create(user=demo_user(email), defaults={"organisation": organisation})
    return chamber, secunity


def _walk(referral: Referral, path, *, member, expert_user, start: datetime.date) -> None:
    """Move a demo referral along ``path``, a week a step, as the real users would."""
    for step, to in enumerate(path, start=1):
        role = EXPERT if to in (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED) or step % 2 == 0 else ORGANISATION
        reason = "先方の社内事情により見送り" if to == ReferralStatus.FAILED else ""
        event = referral.move(
            to,
            actor=expert_user if role == EXPERT else member,
            role=role,
            reason=reason,
            on=start + datetime.timedelta(days=7 * step),
        )
        ReferralEvent.objects.filter(pk=event.pk).update(at=referral.referred_at + datetime.timedelta(days=7 * step))


def load(stdout=None) -> int:
    """Create the demo organisations and cases once; returns the number of cases."""
    chamber, secunity = _organisations()
    if Case.objects.filter(organisation=chamber).exists():
        return Case.objects.count()
    member = demo_user(CHAMBER_EMAIL)
    expert_user, expert_entry = demo_expert()
    others = list(Supporter.objects.published().serving_regions(["kanto"]).exclude(pk=expert_entry.pk)[:12])
    now = timezone.now()
    for index, (company, pref, industry, employees, themes, forms, periods, budget, months, n, path) in enumerate(
        CASES
    ):
        created = now - datetime.timedelta(days=30 * months + index)
        case = Case.objects.create(
            organisation=chamber,
            created_by=member,
            company_name=company,
            contact_name="総務部 ご担当者",
            contact_email=f"it{index}@company.example.jp",
            prefecture=pref,
            industry=industry,
            employees=employees,
            themes=themes,
            forms=forms,
            periods=periods,
            budget=budget,
            created_at=created,
        )
        # The demo expert heads the first and third shortlists and is referred there.
        candidates = ([expert_entry] if index in (0, 2) else []) + others[index * 2 : index * 2 + n]
        for supporter in candidates[:n]:
            case.add_candidate(supporter)
        if path:
            supporter = candidates[0]
            referral = Referral.objects.start(case=case, supporter=supporter, actor=member, at=created)
            _walk(referral, path, member=member, expert_user=supporter.user, start=timezone.localdate(created))
            if path[-1] == ReferralStatus.COMPLETED:
                case.close()
    # One referral waiting for demo-expert's answer, from the chamber's newest case.
    waiting = Case.objects.get(organisation=chamber, company_name="デモ物流有限会社")
    waiting.add_candidate(expert_entry)
    Referral.objects.start(case=waiting, supporter=expert_entry, actor=member)
    # And one mailed to a shortlisted expert without an account: the link in the mail
    # (the admin's 送信メール) answers it.
    unclaimed = next(s for s in others[2:] if s.user_id is None and s.entry_address)
    services.refer(entry=waiting.add_candidate(unclaimed), actor=member, inbox_url=site_url(reverse("referrals:inbox")))
    Case.objects.create(
        organisation=secunity,
        company_name="近畿デモ製作所",
        prefecture="hyogo",
        industry="automotive",
        themes=["assessment"],
        forms=["visit"],
        created_at=now - datetime.timedelta(days=40),
    )
    if stdout:
        stdout.write(f"紹介案件 {Case.objects.count()}件を読み込みました({CHAMBER_EMAIL})。")
    return Case.objects.count()
