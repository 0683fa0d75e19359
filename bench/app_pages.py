"""Proportional data for the other apps, and the cold timings of their pages.

``build_proportional_data(experts)`` runs after the experts are imported and
adds, per 25,000 experts (scaled linearly, at least one of each):

    companies          2,500   1 per 10 experts, one company account each
    assessments        2,500   1 per company; 1,000 experts (1 per 25) get accounts,
                               each of them takes one and the rest go mostly to a
                               few busy experts; stages 10 % inviting, 30 % ①,
                               20 % ②, 20 % ③, 20 % agreed, with the sheet rows,
                               3 meetings, invitation and plan each stage implies
    seminar events       150   1 per ~167 experts, two thirds past; 60 applications
                               each from a pool of applicants who come to ~3 events;
                               a survey per held event, ~60 % of attendees answer
    organisations         40   1 per 625 experts, 3 members each
    cases              5,000   1 per 5 experts, spread unevenly over organisations,
                               1-3 referrals each to the experts with accounts, in
                               every state, with their ReferralEvents

Everything is written with bulk_create (users with one precomputed password
hash), so even 25,000 experts take seconds, not minutes.

``measure_app_pages`` then prints, for each page, p50/p95 server time with the
page cache emptied before each request and the SQL query count, which should
stay small and the same whatever the scale.
"""

from __future__ import annotations

import datetime
import logging
import random
import statistics

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.models import (
    Assessment,
    CatalogueVersion,
    Company,
    ImprovementPlan,
    Invitation,
    Meeting,
    MiddleCategory,
    PlanItem,
    SheetRow,
    Side,
    Stage,
)
from bench.list_page import cold_timings, percentile
from config.roles import IPA_STAFF_GROUP
from seminars.models import (
    Answer,
    AnswerCategory,
    Application,
    Event,
    FaqEntry,
    ProgrammeItem,
    Question,
    Response,
    Speaker,
    Survey,
)
from seminars.surveys import DEFAULT_QUESTIONS
from supporters.models import Supporter
from supporters.referrals.models import (
    EXPERT,
    ORGANISATION,
    Case,
    Membership,
    Organisation,
    Referral,
    ReferralEvent,
    ReferralStatus,
    ShortlistEntry,
)
from supporters.taxonomy import (
    FEES,
    FORMS,
    INDUSTRIES,
    PERIODS,
    PREFECTURES,
    REGIONS,
    THEMES,
)

SCALE = 25_000
PER_SCALE = {"companies": 2_500, "assessed_experts": 1_000, "events": 150, "organisations": 40, "cases": 5_000}
APPLICATIONS_PER_EVENT = 60
MEMBERS_PER_ORGANISATION = 3
BATCH = 2_000
STAFF_USERNAME = "bench-staff@example.invalid"

STAGE_WEIGHTS = {
    Stage.INVITING: 10,
    Stage.SELF_CHECK: 30,
    Stage.EXPERT_REVIEW: 20,
    Stage.PLANNING: 20,
    Stage.AGREED: 20,
}
# Days since the start, by stage: an engagement further on began longer ago,
# so its held meetings (every 14 days from day 3) lie in the past.
STAGE_AGE = {
    Stage.INVITING: (0, 14),
    Stage.SELF_CHECK: (7, 90),
    Stage.EXPERT_REVIEW: (30, 180),
    Stage.PLANNING: (50, 300),
    Stage.AGREED: (60, 540),
}
HELD_MEETINGS = {Stage.INVITING: 0, Stage.SELF_CHECK: 1, Stage.EXPERT_REVIEW: 2, Stage.PLANNING: 2, Stage.AGREED: 3}

R, P, E = SheetRow.Result, SheetRow.Procedure, SheetRow.Evaluation

# Where a referral ends up, as (path after 紹介済, weight).
RS = ReferralStatus
REFERRAL_PATHS = [
    ([], 15),
    ([RS.DECLINED], 15),
    ([RS.FAILED], 5),
    ([RS.ACCEPTED], 10),
    ([RS.ACCEPTED, RS.MET], 10),
    ([RS.ACCEPTED, RS.FAILED], 5),
    ([RS.ACCEPTED, RS.MET, RS.FAILED], 5),
    ([RS.ACCEPTED, RS.MET, RS.STARTED], 15),
    ([RS.ACCEPTED, RS.MET, RS.STARTED, RS.COMPLETED], 20),
]

FREE_TEXTS = [
    ("指導経験がなく、支援ができるか不安。研修の機会がほしい。", "スキル・経験等の不足"),
    ("希望する報酬水準と企業の予算が合わない。", "報酬水準"),
    ("契約やトラブル時の責任分担が不安。", "契約・責任"),
    ("副業の許可が必要。", "副業・兼業、本業との競合"),
    ("大変参考になりました。", ""),
]


def _scaled(experts: int, name: str) -> int:
    return max(1, round(PER_SCALE[name] * experts / SCALE))


def _skewed(rng: random.Random, items: list):
    """An item, the first ones far more often (a few busy experts, big organisations)."""
    return items[int(len(items) * rng.random() ** 2)]


def _create(model, objects: list) -> list:
    return model.objects.bulk_create(objects, batch_size=BATCH)


def _users(password: str, emails: list[str], **fields) -> list:
    User = get_user_model()
    return _create(User, [User(username=email, email=email, password=password, **fields) for email in emails])


# Assessments ----------------------------------------------------------------------


def _filled(rng, stage: str, rows: int) -> tuple[int, int]:
    """How many rows the company and the expert have filled by ``stage``."""
    if stage == Stage.INVITING:
        return 0, 0
    if stage == Stage.SELF_CHECK:
        return rng.randint(0, rows), 0
    if stage == Stage.EXPERT_REVIEW:
        return rows, rng.randint(0, rows)
    return rows, rows


def _build_assessments(rng, now, password, experts: int) -> dict:
    catalogue = CatalogueVersion.objects.current()
    # The same 中分類 as create_assessment gives every new sheet.
    middles = list(MiddleCategory.objects.filter(major__version=catalogue).order_by("number"))
    published = list(Supporter.objects.published().only("registration_no").order_by("registration_no"))
    assessed = rng.sample(published, min(len(published), _scaled(experts, "assessed_experts")))
    expert_users = _users(
        password,
        [f"bench-expert-{s.registration_no}@example.invalid" for s in assessed],
        last_name="専門家",
        first_name="ベンチ",
    )
    for supporter, user in zip(assessed, expert_users, strict=True):
        supporter.user = user
    Supporter.objects.update_each(assessed, ["user"])

    count = _scaled(experts, "companies")
    company_users = _users(
        password, [f"bench-company-{i:05d}@example.invalid" for i in range(count)], last_name="企業", first_name="担当"
    )
    companies = _create(
        Company,
        [
            Company(
                name=f"ベンチ工業{i:05d}株式会社", industry=rng.choice(INDUSTRIES.slugs), employees=rng.randint(5, 300)
            )
            for i in range(count)
        ],
    )
    _create(
        Company.members.through,
        [Company.members.through(company_id=c.pk, user_id=u.pk) for c, u in zip(companies, company_users, strict=True)],
    )

    stages = rng.choices(list(STAGE_WEIGHTS), weights=list(STAGE_WEIGHTS.values()), k=count)
    # Every account holder takes one; the rest go mostly to a few.
    chosen = [assessed[i] if i < len(assessed) else _skewed(rng, assessed) for i in range(count)]
    starts = [
        now - datetime.timedelta(days=rng.randint(*STAGE_AGE[stage]), hours=rng.randint(0, 23)) for stage in stages
    ]
    assessments = _create(
        Assessment,
        [
            Assessment(
                company=company,
                catalogue=catalogue,
                expert=None if stage == Stage.INVITING else expert,
                responsible_title="情報システム部長",
                responsible_name=f"担当{i:05d}",
                stage=stage,
                started_by=Side.COMPANY if stage == Stage.INVITING or i % 3 else Side.EXPERT,
                company_version=int(stage != Stage.INVITING),
                expert_version=int(stage in (Stage.EXPERT_REVIEW, Stage.PLANNING, Stage.AGREED)),
                created_at=start,
            )
            for i, (company, stage, expert, start) in enumerate(zip(companies, stages, chosen, starts, strict=True))
        ],
    )

    rows, meetings, invitations, plans, improve_rows = [], [], [], [], []
    for assessment, expert, user, start in zip(assessments, chosen, company_users, starts, strict=True):
        stage = assessment.stage
        invitation = {"assessment": assessment, "created_at": start, "expires_at": start + datetime.timedelta(days=14)}
        if assessment.started_by == Side.COMPANY:
            invitation.update(side=Side.EXPERT, supporter=expert, created_by=user)
        else:
            invitation.update(
                side=Side.COMPANY,
                email=user.email,
                created_by=expert.user,
                token_hash=Invitation.hash_token(f"bench-{assessment.pk}"),
            )
        if stage != Stage.INVITING:
            invitation.update(
                accepted_at=start + datetime.timedelta(days=1),
                accepted_by=expert.user if assessment.started_by == Side.COMPANY else user,
            )
        invitations.append(Invitation(**invitation))

        day = timezone.localdate(start)
        for number in (1, 2, 3):
            held = number <= HELD_MEETINGS[stage]
            if held:
                date = day + datetime.timedelta(days=3 + 14 * (number - 1))
            elif stage == Stage.PLANNING and number == 3:
                date = timezone.localdate(now) + datetime.timedelta(days=7)  # to agree the plan
            else:
                date = None
            meetings.append(
                Meeting(
                    assessment=assessment,
                    number=number,
                    date=date,
                    start_time=datetime.time(14) if date else None,
                    end_time=datetime.time(16) if date else None,
                    attendees="代表取締役社長 情報太郎\n管理部 部長 佐藤一郎" if held else "",
                )
            )

        company_filled, expert_filled = _filled(rng, stage, len(middles))
        improving = []
        for index, middle in enumerate(middles):
            row = SheetRow(assessment=assessment, middle=middle)
            if index < company_filled:
                row.result = rng.choices(R.values, weights=[50, 20, 10, 15, 5])[0]
                row.company_comment = f"{middle.name}について、規程と手順書を整備し運用している。"
            if index < expert_filled:
                row.procedures = rng.sample(P.values, rng.randint(1, 3))
                row.evaluation = E.IMPROVE if rng.random() < 0.25 else E.CONFORM
                row.expert_comment = f"{middle.name}の運用状況を確認した。"
                if row.evaluation == E.IMPROVE:
                    improving.append(row)
            rows.append(row)
        if stage in (Stage.PLANNING, Stage.AGREED):
            agreed_at = timezone.make_aware(
                datetime.datetime.combine(day + datetime.timedelta(days=31), datetime.time(17))
            )
            agreed = (
                {
                    "company_agreed_at": agreed_at,
                    "company_agreed_by": user,
                    "expert_agreed_at": agreed_at,
                    "expert_agreed_by": expert.user,
                }
                if stage == Stage.AGREED
                else {}
            )
            plans.append(
                ImprovementPlan(
                    assessment=assessment,
                    revision=1,
                    created_on=day + datetime.timedelta(days=17),
                    version=1,
                    evaluation_summary="規程類は整備されているが、インシデント発生時の訓練に課題がある。",
                    **agreed,
                )
            )
            improve_rows.append(improving)
    _create(SheetRow, rows)
    _create(Meeting, meetings)
    _create(Invitation, invitations)
    plans = _create(ImprovementPlan, plans)
    # As submit_review drafts them: one item per 改善要 row.
    items = _create(
        PlanItem,
        [
            PlanItem(
                plan=plan, number=n, content=f"{row.middle.name}: {row.expert_comment}", timing="2026/3 末までに整備"
            )
            for plan, improving in zip(plans, improve_rows, strict=True)
            for n, row in enumerate(improving, start=1)
        ],
    )
    return {
        "users": len(expert_users) + len(company_users),
        "companies": len(companies),
        "assessments": len(assessments),
        "assessed_experts": len({a.expert_id for a in assessments if a.expert_id}),
        "sheet_rows": len(rows),
        "meetings": len(meetings),
        "invitations": len(invitations),
        "plans": len(plans),
        "plan_items": len(items),
    }


# Seminars -------------------------------------------------------------------------


def _event(index: int, starts_at: datetime.datetime, status: str) -> Event:
    workshop = index % 4 == 3
    return Event(
        kind=Event.Kind.WORKSHOP if workshop else Event.Kind.LECTURE if index % 10 == 9 else Event.Kind.WEBINAR,
        title=f"{'セキュリティ専門家向けケース演習' if workshop else 'マネジメント指導ツール活用セミナー'}(ベンチ第{index + 1}回)",
        slug=f"bench-{index + 1:04d}",
        summary="マネジメント指導ツールを活用した指導方法・指導事例を紹介します。",
        audience="登録セキスペ、セキュリティ専門家",
        eligibility=Event.Eligibility.LISTED if workshop else Event.Eligibility.ANYONE,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=6 if workshop else 2, minutes=0 if workshop else 30),
        venue_name="商工会議所 会議室" if workshop else "",
        venue_address="東京都千代田区" if workshop else "",
        online_url="" if workshop else "https://example.invalid/webinar/join",
        # Workshops are full and have a waiting list; webinars have seats left.
        capacity=40 if workshop else 100,
        status=status,
    )


def _build_seminars(rng, now, experts: int) -> dict:
    # At least one held event (for its survey) and one to come (for its page).
    count = max(2, _scaled(experts, "events"))
    past = max(1, count * 2 // 3)
    noon = now.replace(hour=4, minute=0, second=0, microsecond=0)  # 13:00 JST
    events = []
    for i in range(count):
        if i < past:
            starts_at = noon - datetime.timedelta(days=3 + i * 700 // past)
            status = Event.Status.CANCELLED if i % 25 == 24 else Event.Status.CLOSED
        else:
            starts_at = noon + datetime.timedelta(days=3 + (i - past) * 180 // (count - past))
            status = Event.Status.DRAFT if i % 10 == 9 else Event.Status.OPEN
        events.append(_event(i, starts_at, status))
    events = _create(Event, events)
    _create(
        ProgrammeItem,
        [
            ProgrammeItem(event=e, order=o, title=title, presenter=presenter, duration_minutes=minutes)
            for e in events
            for o, (title, presenter, minutes) in enumerate(
                [
                    ("開会・趣旨説明", "事務局", 10),
                    ("指導ツールの説明", "IPA", 50),
                    ("休憩", "", 10),
                    ("活用事例の紹介", "ゲストスピーカー", 60),
                    ("支援者リストの登録促進", "事務局", 10),
                    ("質疑応答・閉会", "", 10),
                ],
                start=1,
            )
        ],
    )
    _create(
        Speaker, [Speaker(event=e, name=f"講師{e.pk}氏", work_form="副業", case_study="製造業での事例") for e in events]
    )
    _create(
        FaqEntry,
        [FaqEntry(order=i, question=f"よくある質問{i}", answer="回答です。", is_published=True) for i in range(3)]
        + [
            FaqEntry(
                event=e,
                order=i,
                question=f"{e.title}の資料は配布されますか。",
                answer="後日お送りします。",
                is_published=True,
            )
            for e in events
            for i in range(2)
        ],
    )

    registration_nos = list(Supporter.objects.published().values_list("registration_no", flat=True))
    # People come to about three events each, so the follow-up list groups them.
    pool = max(APPLICATIONS_PER_EVENT, count * APPLICATIONS_PER_EVENT // 3)
    applications = []
    for event in events:
        if event.status == Event.Status.DRAFT:
            continue
        confirmed = 0
        held = event.starts_at < now and event.status != Event.Status.CANCELLED
        for person in rng.sample(range(pool), APPLICATIONS_PER_EVENT):
            application = Application(
                event=event,
                name=f"参加者{person:05d}",
                name_kana=f"サンカシャ{person:05d}",
                email=f"applicant{person:05d}@example.invalid",
                organization="株式会社ベンチ" if person % 2 else "",
                registration_no=registration_nos[person % len(registration_nos)] if person % 3 == 0 else "",
                question="事例企業の業種を教えてください。" if person % 10 == 0 else "",
                created_at=event.starts_at - datetime.timedelta(days=rng.randint(1, 30)),
            )
            if rng.random() < 0.05:
                application.status, application.cancelled_at = Application.Status.CANCELLED, application.created_at
            elif confirmed < event.capacity:
                application.status, confirmed = Application.Status.CONFIRMED, confirmed + 1
                application.attended = held and rng.random() < 0.85
            else:
                application.status = Application.Status.WAITLISTED
            applications.append(application)
    applications = _create(Application, applications)

    surveys = _create(
        Survey,
        [
            Survey(event=e, is_open=e.starts_at > now - datetime.timedelta(days=30))
            for e in events
            if e.starts_at < now and e.status == Event.Status.CLOSED
        ],
    )
    questions = _create(
        Question,
        [
            Question(
                survey=s, order=i, kind=kind, text=text, options="\n".join(options), required=required, purpose=purpose
            )
            for s in surveys
            for i, (kind, text, options, required, purpose) in enumerate(DEFAULT_QUESTIONS, start=1)
        ],
    )
    per = len(DEFAULT_QUESTIONS)
    by_survey = {s.event_id: (s, questions[per * n : per * (n + 1)]) for n, s in enumerate(surveys)}
    attendees = [a for a in applications if a.attended and a.event_id in by_survey and rng.random() < 0.6]
    responses = _create(
        Response,
        [
            Response(
                survey=by_survey[a.event_id][0],
                application=a,
                submitted_at=a.event.ends_at + datetime.timedelta(hours=1, minutes=rng.randint(0, 600)),
            )
            for a in attendees
        ],
    )
    answers, tags = [], []
    for response, application in zip(responses, attendees, strict=True):
        satisfaction, intent, free = by_survey[application.event_id][1]
        answers.append(
            Answer(
                response=response,
                question=satisfaction,
                choice=rng.choices(satisfaction.option_list, weights=[55, 41, 3, 1])[0],
            )
        )
        answers.append(
            Answer(
                response=response, question=intent, choice=rng.choices(intent.option_list, weights=[40, 33, 19, 8])[0]
            )
        )
        if rng.random() < 0.4:
            text, category = rng.choice(FREE_TEXTS)
            answers.append(Answer(response=response, question=free, text=text))
            if category and rng.random() < 0.7:
                tags.append((answers[-1], category))
    _create(Answer, answers)
    categories = dict(AnswerCategory.objects.values_list("name", "pk"))
    Through = Answer.categories.through
    _create(
        Through, [Through(answer_id=a.pk, answercategory_id=categories[name]) for a, name in tags if name in categories]
    )
    return {
        "events": len(events),
        "applications": len(applications),
        "surveys": len(surveys),
        "responses": len(responses),
        "answers": len(answers),
    }


# Referrals ------------------------------------------------------------------------


def _walk(rng, referral: Referral, path: list, *, member, now) -> list[ReferralEvent]:
    """The referral's events along ``path``, a week a step, stopping at today."""
    events = [
        ReferralEvent(
            referral=referral,
            actor=member,
            role=ORGANISATION,
            to_status=RS.REFERRED,
            on=timezone.localdate(referral.referred_at),
            at=referral.referred_at,
        )
    ]
    status = RS.REFERRED
    for step, to in enumerate(path, start=1):
        at = referral.referred_at + datetime.timedelta(days=7 * step, hours=rng.randint(0, 8))
        if at > now:
            break
        # Only the expert answers a referral (and only the organisation gives up
        # on an unanswered one); afterwards the sides take turns recording.
        expert_side = to in (RS.ACCEPTED, RS.DECLINED) or step % 2 == 0
        events.append(
            ReferralEvent(
                referral=referral,
                actor=referral.supporter.user if expert_side else member,
                role=EXPERT if expert_side else ORGANISATION,
                from_status=status,
                to_status=to,
                reason="先方の社内事情により見送り" if to == RS.FAILED else "",
                on=timezone.localdate(at),
                at=at,
            )
        )
        status = to
        if to == RS.ACCEPTED:
            referral.accepted_at = at
    referral.status = status
    return events


def _build_referrals(rng, now, password, experts: int) -> dict:
    count = _scaled(experts, "organisations")
    kinds = Organisation.Kind.values
    organisations = _create(
        Organisation,
        [
            Organisation(
                name=f"ベンチ支援機関{i:03d}",
                kind=kinds[i % len(kinds)],
                region=REGIONS.slugs[i % len(REGIONS.slugs)],
                contact_name="中小企業相談窓口",
                contact_email=f"madoguchi{i:03d}@org.example.invalid",
            )
            for i in range(count)
        ],
    )
    users = _users(
        password,
        [f"bench-member-{o.pk}-{j}@example.invalid" for o in organisations for j in range(MEMBERS_PER_ORGANISATION)],
        last_name="職員",
        first_name="支援機関",
    )
    members = {
        o.pk: users[n * MEMBERS_PER_ORGANISATION : (n + 1) * MEMBERS_PER_ORGANISATION]
        for n, o in enumerate(organisations)
    }
    _create(Membership, [Membership(user=u, organisation_id=o) for o, us in members.items() for u in us])

    pool = list(
        Supporter.objects.published().filter(user__isnull=False).select_related("user").order_by("registration_no")
    )
    cases, shortlist, referrals, events = [], [], [], []
    for i in range(_scaled(experts, "cases")):
        organisation = _skewed(rng, organisations)
        case = Case(
            organisation=organisation,
            created_by=rng.choice(members[organisation.pk]),
            company_name=f"相談企業{i:05d}株式会社",
            contact_name="総務部 ご担当者",
            contact_email=f"case{i:05d}@company.example.invalid",
            contact_phone="03-0000-0000",
            prefecture=rng.choice(PREFECTURES.slugs),
            industry=rng.choice(INDUSTRIES.slugs),
            employees=rng.randint(3, 300),
            themes=rng.sample(THEMES.slugs, rng.randint(1, 3)),
            forms=rng.sample(FORMS.slugs, rng.randint(1, 2)),
            periods=[rng.choice(PERIODS.slugs)],
            budget=rng.choice([*FEES.slugs, ""]),
            notes="初回相談で状況を伺った。",
            created_at=now - datetime.timedelta(days=rng.randint(10, 730), hours=rng.randint(0, 23)),
        )
        cases.append(case)
        referred = rng.choice([1, 1, 1, 2, 2, 3])
        # Half the shortlists keep one more candidate who was never referred.
        wanted = min(referred + (rng.random() < 0.5), len(pool))
        candidates = []
        while len(candidates) < wanted:
            supporter = _skewed(rng, pool)
            if supporter not in candidates:
                candidates.append(supporter)
        shortlist += [
            ShortlistEntry(case=case, supporter=s, position=n, reason="業種と地域が合う", added_at=case.created_at)
            for n, s in enumerate(candidates, start=1)
        ]
        statuses = []
        for n, supporter in enumerate(candidates[:referred]):
            referral = Referral(
                case=case,
                supporter=supporter,
                referred_by=case.created_by,
                referred_at=case.created_at + datetime.timedelta(days=3 + 2 * n),
            )
            path = rng.choices([p for p, _ in REFERRAL_PATHS], weights=[w for _, w in REFERRAL_PATHS])[0]
            events += _walk(rng, referral, path, member=case.created_by, now=now)
            referrals.append(referral)
            statuses.append(referral.status)
        ended = RS.COMPLETED in statuses or (set(statuses) <= {RS.DECLINED, RS.FAILED} and rng.random() < 0.5)
        case.status = Case.Status.CLOSED if ended else Case.Status.REFERRED
    _create(Case, cases)
    _create(ShortlistEntry, shortlist)
    _create(Referral, referrals)
    _create(ReferralEvent, events)
    return {
        "users": len(users),
        "organisations": len(organisations),
        "cases": len(cases),
        "shortlist_entries": len(shortlist),
        "referrals": len(referrals),
        "referral_events": len(events),
    }


# Building and measuring -------------------------------------------------------


def _build_staff(password: str) -> dict:
    """An IPA職員 account with a confirmed second factor, for the staff pages."""
    staff = _users(password, [STAFF_USERNAME], is_staff=True, last_name="職員", first_name="ベンチ")[0]
    staff.groups.add(Group.objects.get(name=IPA_STAFF_GROUP))
    TOTPDevice.objects.create(user=staff, name="bench", confirmed=True)
    return {"users": 1}


def find_handles() -> dict:
    """Who and what the measured pages are about, found in the database."""
    now = timezone.now()
    busiest = (
        Assessment.objects.filter(expert__user__isnull=False)
        .values("expert__user__username")
        .annotate(n=Count("pk"))
        .order_by("-n", "expert__user__username")
        .first()
    )
    expert_username = busiest["expert__user__username"]
    own = Assessment.objects.filter(expert__user__username=expert_username)
    assessment = own.filter(stage=Stage.AGREED).order_by("pk").first() or own.order_by("pk").first()
    organisation = Organisation.objects.annotate(n=Count("cases")).order_by("-n", "pk").first()
    event = (
        Event.objects.public()
        .filter(starts_at__gt=now)
        .annotate(n=Count("applications"))
        .order_by("-n", "starts_at")
        .first()
    )
    survey = Survey.objects.annotate(n=Count("responses")).order_by("-n", "pk").first()
    return {
        "staff_username": STAFF_USERNAME,
        "expert_username": expert_username,
        "expert_assessments": busiest["n"],
        "assessment_pk": assessment.pk,
        "member_username": organisation.memberships.order_by("pk").values_list("user__username", flat=True).first(),
        "organisation_pk": organisation.pk,
        "event_slug": event.slug,
        "survey_pk": survey.pk,
    }


def build_proportional_data(experts: int) -> dict:
    """Companies, assessments, seminars and referrals for ``experts`` experts.

    Returns {"counts": {...}, "handles": find_handles()}.
    """
    rng = random.Random(experts)
    now = timezone.now()
    password = make_password("bench")
    counts: dict[str, int] = {}
    with transaction.atomic():
        for part in (
            _build_staff(password),
            _build_assessments(rng, now, password, experts),
            _build_seminars(rng, now, experts),
            _build_referrals(rng, now, password, experts),
        ):
            for name, value in part.items():
                counts[name] = counts.get(name, 0) + value
    return {"counts": counts, "handles": find_handles()}


def _signed_in(client_factory, username: str | None):
    """A client for ``username`` (anonymous if None), past the second factor if staff."""
    client = client_factory()
    if username is None:
        return client
    # force_login fires django-axes' login handlers, whose INFO lines would
    # break up the table.
    logging.getLogger("axes").setLevel(logging.WARNING)
    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _pages(handles: dict) -> list[tuple[str, str, str, str | None]]:
    """(label, scale note, URL, username) of every measured page."""
    h = handles
    event = Event.objects.get(slug=h["event_slug"])
    survey = Survey.objects.select_related("event").get(pk=h["survey_pk"])
    held = Event.objects.filter(pk=survey.event_id).annotate(n=Count("applications")).get()
    organisation = Organisation.objects.get(pk=h["organisation_pk"])
    staff, expert, member = h["staff_username"], h["expert_username"], h["member_username"]
    events, applications = Event.objects.count(), Application.objects.count()
    cases, referrals = Case.objects.count(), Referral.objects.count()
    referred_experts = Referral.objects.values("supporter").distinct().count()
    assessments = Assessment.objects.count()
    rows = SheetRow.objects.filter(assessment_id=h["assessment_pk"]).count()
    answers = Answer.objects.filter(question__purpose=Question.Purpose.INTENT).count()
    return [
        ("seminars: list", f"{events} events", reverse("seminars:list"), None),
        (
            "seminars: event page",
            f"{event.applications.count()} applications",
            reverse("seminars:detail", args=[event.slug]),
            None,
        ),
        ("seminars: report (staff)", f"{events} events, {applications:,} appl.", reverse("seminars:report"), staff),
        (
            "seminars: applications (admin)",
            f"{held.n} of {applications:,} appl.",
            reverse("admin:seminars_application_changelist") + f"?event__id__exact={held.pk}",
            staff,
        ),
        (
            "seminars: survey results (staff)",
            f"{survey.responses.count()} responses",
            reverse("seminars:survey-results", args=[survey.pk]),
            staff,
        ),
        ("seminars: follow-up (staff)", f"{answers:,} intent answers", reverse("seminars:follow-up"), staff),
        (
            "referrals: case list (member)",
            f"{organisation.cases.count()} of {cases:,} cases",
            reverse("referrals:case-list"),
            member,
        ),
        (
            "referrals: flow (staff)",
            f"{referrals:,} refs, {referred_experts} experts",
            reverse("referrals:flow"),
            staff,
        ),
        (
            "referrals: flow.csv (staff)",
            f"{referrals:,} refs, {referred_experts} experts",
            reverse("referrals:flow-csv"),
            staff,
        ),
        (
            "assessments: list (expert)",
            f"{h['expert_assessments']} of {assessments:,}",
            reverse("assessments:list"),
            expert,
        ),
        (
            "assessments: list (staff)",
            f"{min(200, assessments)} of {assessments:,}",
            reverse("assessments:list"),
            staff,
        ),
        (
            "assessments: sheet (expert)",
            f"{rows} rows",
            reverse("assessments:sheet", args=[h["assessment_pk"]]),
            expert,
        ),
        (
            "admin: supporters changelist",
            f"{Supporter.objects.count():,} experts",
            reverse("admin:supporters_supporter_changelist"),
            staff,
        ),
    ]


def measure_app_pages(client_factory, repeat: int) -> None:
    """Print cold p50/p95 and the query count of the other apps' pages."""
    connection.force_debug_cursor = True  # count queries with DEBUG off
    clients: dict = {}
    print("\ncold = rendered (page cache emptied before each request)")
    print(f"{'page':34} {'scale':32} {'cold p50':>9} {'cold p95':>9} {'queries':>8}")
    for label, scale, url, username in _pages(find_handles()):
        if username not in clients:
            clients[username] = _signed_in(client_factory, username)
        client = clients[username]
        timings, query_count = cold_timings(client, url, repeat)
        print(
            f"{label:34} {scale:32} {statistics.median(timings):9.1f} {percentile(timings, 0.95):9.1f} {query_count:8d}"
        )
