"""Seminar demo: the FY2025 history from the seed, plus events to try today.

The history lives here rather than in a data migration: its thousands of
applicants are synthetic (参加者0001 …@example.invalid) and must never reach
a production database, while the figures they add up to are the seed's.
"""

from __future__ import annotations

import datetime
import random
from zoneinfo import ZoneInfo

from django.utils import timezone

from supporters.demo import demo_expert, demo_staff
from supporters.models import Supporter

from .models import (
    Answer,
    AnswerCategory,
    Application,
    Event,
    FaqEntry,
    ProgrammeItem,
    Question,
    Reminder,
    Response,
    Speaker,
    Survey,
)
from .services import follow_up_candidates
from .surveys import add_default_questions

JST = ZoneInfo("Asia/Tokyo")
SEMINAR_TITLE = "セキュリティマネジメント指導ツール活用セミナー"
WORKSHOP_TITLE = "セキュリティ専門家向けケース演習"

WEBINAR_PROGRAMME = [
    (
        "13:00",
        "経済産業省の登録セキスペ活用の取組",
        "経済産業省 サイバーセキュリティ課/情報技術利用促進課(ITイノベーション課)",
        10,
    ),
    ("13:10", "セキュリティマネジメント指導ツールの説明", "独立行政法人情報処理推進機構", 50),
    ("14:00", "休憩", "", 10),
    ("14:10", "ゲストスピーカーによる指導ツール活用事例の紹介", "ゲストスピーカー", 60),
    ("15:10", "セキュリティ専門家リストの登録促進について", "株式会社三菱総合研究所", 10),
    ("15:20", "質疑応答・閉会", "", 10),
]

# 第n回: date, applicants, participants, guest, 形態, 事例企業とテーマ (seed §3).
WEBINARS = [
    (
        1,
        datetime.date(2025, 11, 7),
        783,
        727,
        "久保田 秀男",
        "副業",
        "A株式会社【非公開】(製造業・中部地方)\n「自動車業界ガイドラインに沿った具体的なインシデント対応指南」",
    ),
    (
        2,
        datetime.date(2025, 11, 20),
        691,
        624,
        "高橋 真悟",
        "個人",
        "深田電機株式会社(卸売業・愛知県)\n「DXによる効果を最大限に生かすセキュリティ対策を具体的に指南」",
    ),
    (
        3,
        datetime.date(2025, 12, 5),
        660,
        577,
        "高橋 幸司",
        "副業",
        "社会福祉法人がくがく福祉会すいた障がい者就業・生活支援センター(医療/福祉・大阪府)\n「セキュリティ対策の第一歩として従業員の意識を向上」",
    ),
]

WORKSHOP_PROGRAMME = [
    ("講演", "ケース演習受講にあたっての説明(スケジュール、注意事項等)", "事務局", 10),
    ("講演", "マネジメント指導ツール(セキュリティアセスメント)の解説等", "ちば経営応援隊", 90),
    ("講演", "サプライチェーン対策評価制度動向の説明", "IPA", 20),
    (
        "グループワーク",
        "1. ファシリテーターからの説明(アイスブレイク、演習の流れ、事例企業A社、ケース1による評価の説明、役割決め)",
        "ファシリテーター",
        30,
    ),
    ("グループワーク", "2. 参加者各自によるケース2〜7の評価実施", "", 20),
    ("グループワーク", "3. 各グループによるケース2〜7の評価実施", "", 40),
    ("グループワーク", "休憩", "", 10),
    ("グループワーク", "4. グループ順にロールプレイ実施(15分×4、予備10分)", "ファシリテーター・事務局", 70),
    ("グループワーク", "5. ファシリテーターからの全体講評、質疑応答", "ファシリテーター", 10),
]

# The seed prints 2025年1月 for these, but they followed the call for
# participants of 2025-12-15, so they took place in January 2026.
WORKSHOPS = [
    (
        "osaka",
        "大阪",
        datetime.date(2026, 1, 14),
        "大阪商工会議所",
        "402号会議室-B",
        "大阪市中央区",
        15,
        "高谷 幸治",
        "高谷経営支援事務所代表",
    ),
    (
        "tokyo",
        "東京",
        datetime.date(2026, 1, 21),
        "東商カンファレンスルーム",
        "RoomB2",
        "東京都千代田区",
        31,
        "松長 宏思",
        "株式会社エッジプランニング 代表取締役",
    ),
    (
        "nagoya",
        "名古屋",
        datetime.date(2026, 1, 23),
        "ツドイコ名駅東カンファレンスセンター",
        "Room-D",
        "名古屋市中村区",
        14,
        "松長 宏思",
        "株式会社エッジプランニング 代表取締役",
    ),
]
WORKSHOP_SUMMARY = (
    "中小企業のセキュリティ対応状況評価及び対策支援を行う人材確保を目的に、登録セキスペがセキュリティアセスメントで"
    "必要となる情報セキュリティ監査スキルを含めた教育を実証します。前半は講演(2時間)、後半はグループワークによる演習(3時間)です。"
)
WORKSHOP_AUDIENCE = "中小企業のセキュリティ評価・対策支援を担当する登録セキスペ"

FAQ = [
    (
        "支援者リストに登録するにはどうすればよいですか。",
        "登録セキスペ(情報処理安全確保支援士)の方は、登録方法のページから申請できます。掲載内容は後から修正できます。",
    ),
    (
        "マネジメント指導ツールは商用の支援に使えますか。",
        "はい。中小企業への指導に活用いただけます。利用ルールは配布資料をご確認ください。",
    ),
]


def _at(day: datetime.date, hhmm: str) -> datetime.datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=JST)


def _applications(
    event: Event, prefix: str, count: int, attended: int, *, start: int = 1, numbers=()
) -> list[Application]:
    rows = []
    numbers = list(numbers)
    for i in range(start, start + count):
        rows.append(
            Application(
                event=event,
                status=Application.Status.CONFIRMED,
                name=f"参加者{i:04d}",
                name_kana=f"サンカシャ{i:04d}",
                email=f"{prefix}-{i:04d}@example.invalid",
                registration_no=numbers[(i - start) % len(numbers)] if numbers else "",
                attended=(i - start) < attended,
                created_at=event.starts_at - datetime.timedelta(days=14, minutes=-i),
            )
        )
    return rows


def load_history() -> list[Event]:
    """The three webinars and three workshops of FY2025, with their counts."""
    events, programme, speakers, applications = [], [], [], []
    for number, day, applicants, participants, guest, form, case in WEBINARS:
        event = Event.objects.create(
            kind=Event.Kind.WEBINAR,
            title=f"{SEMINAR_TITLE}(第{number}回)",
            slug=f"seminar-2025-{number}",
            summary="登録セキスペ活用の取組みや、マネジメント指導ツールを活用した指導方法・指導事例を紹介します。",
            audience="登録セキスペ(情報処理安全確保支援士)、セキュリティ専門家",
            starts_at=_at(day, "13:00"),
            ends_at=_at(day, "15:30"),
            capacity=1000,
            status=Event.Status.CLOSED,
            archive_url=f"https://example.jp/archive/seminar-2025-{number}",
        )
        events.append(event)
        for order, (time, title, presenter, minutes) in enumerate(WEBINAR_PROGRAMME, start=1):
            programme.append(
                ProgrammeItem(
                    event=event,
                    order=order,
                    starts_at=datetime.time.fromisoformat(time),
                    title=title,
                    presenter=presenter,
                    duration_minutes=minutes,
                )
            )
        speakers.append(Speaker(event=event, name=f"{guest}氏", work_form=form, case_study=case))
        applications += _applications(event, f"webinar{number}", applicants, participants)

    numbers = list(
        Supporter.objects.published().order_by("registration_no").values_list("registration_no", flat=True)[:60]
    )
    start = 1
    for slug, city, day, venue, room, address, participants, facilitator, affiliation in WORKSHOPS:
        event = Event.objects.create(
            kind=Event.Kind.WORKSHOP,
            title=f"{WORKSHOP_TITLE}({city})",
            slug=f"workshop-2026-{slug}",
            summary=WORKSHOP_SUMMARY,
            audience=WORKSHOP_AUDIENCE,
            eligibility=Event.Eligibility.LISTED,
            starts_at=_at(day, "10:00"),
            ends_at=_at(day, "16:00"),
            venue_name=venue,
            venue_room=room,
            venue_address=address,
            # 定員 was 20 a session; 東京 took 31 participants, so the
            # history rows go in directly and the report shows what happened.
            capacity=20,
            status=Event.Status.CLOSED,
        )
        events.append(event)
        for order, (section, title, presenter, minutes) in enumerate(WORKSHOP_PROGRAMME, start=1):
            programme.append(
                ProgrammeItem(
                    event=event,
                    order=order,
                    section=section,
                    title=title,
                    presenter=presenter,
                    duration_minutes=minutes,
                )
            )
        speakers.append(
            Speaker(event=event, role=Speaker.Role.FACILITATOR, name=f"{facilitator}氏", affiliation=affiliation)
        )
        applications += _applications(
            event,
            f"workshop-{slug}",
            participants,
            participants,
            start=start,
            numbers=numbers[start - 1 :] + numbers[: start - 1],
        )
        start += participants
    ProgrammeItem.objects.bulk_create(programme)
    Speaker.objects.bulk_create(speakers)
    Application.objects.bulk_create(applications, batch_size=1000)
    return events


# Counts that reproduce the seed's survey shares (§3 アンケート結果):
# 満足度 55.1 % / 40.9 %, 意向 40.1 % / 33.1 %, and of the free texts
# スキル・経験等の不足 13.3 % and 報酬水準 10.4 %.
SURVEY_RESPONDENTS = 372
SATISFACTION_COUNTS = [205, 152, 10, 5]
INTENT_COUNTS = [149, 123, 70, 30]
FREE_TEXTS = [
    ("指導経験がなく、支援ができるか不安。研修やOJTの機会がほしい。", "スキル・経験等の不足", 18),
    ("中小企業側の希望する価格帯と専門家側の希望する報酬水準が見合わない。", "報酬水準", 14),
    ("契約、NDA等は自身で締結するのか。トラブル時の対応が不安。", "契約・責任", 12),
    ("副業禁止のため、会社の許可が必要。", "副業・兼業、本業との競合", 11),
    ("リストに登録したら、どれぐらいの頻度で案件が来るのかわからない。", "活動に関する不安", 10),
    ("自身で解決できない相談が来た場合、どこに相談すればよいか。", "サポートや相談窓口", 9),
    ("セキュリティをコストと見ている企業が多い。", "中小企業側の意識・投資余力", 8),
    ("事例やサンプルがほしい。", "指導ツールの活用", 9),
    ("そもそも支援者リストを知らなかった。登録方法がわからない。", "支援者リストのわかりにくさ", 10),
    ("メールアドレスが公開され、スパムの標的になるのが心配。", "公開情報・プライバシー", 8),
    ("大変参考になりました。", "", 26),
]


def _shuffled(rng: random.Random, options: list[str], counts: list[int], total: int) -> list[str | None]:
    values = [o for o, n in zip(options, counts, strict=True) for _ in range(n)]
    values += [None] * (total - len(values))  # left unanswered
    rng.shuffle(values)
    return values


def load_survey(event: Event, seed: int = 20251107) -> Survey:
    """A personal-link survey on ``event`` answered as the seed reports."""
    survey = Survey.objects.create(event=event, mode=Survey.Mode.PERSONAL)
    satisfaction, intent, free = add_default_questions(survey)
    rng = random.Random(seed)
    attendees = list(event.applications.filter(attended=True).order_by("id")[:SURVEY_RESPONDENTS])
    responses = Response.objects.bulk_create(
        Response(survey=survey, application=a, submitted_at=event.ends_at + datetime.timedelta(hours=1, minutes=i))
        for i, a in enumerate(attendees)
    )
    texts = _shuffled(rng, list(range(len(FREE_TEXTS))), [n for *_, n in FREE_TEXTS], len(responses))
    columns = [
        (satisfaction, _shuffled(rng, satisfaction.option_list, SATISFACTION_COUNTS, len(responses))),
        (intent, _shuffled(rng, intent.option_list, INTENT_COUNTS, len(responses))),
    ]
    answers, free_answers = [], []
    for i, response in enumerate(responses):
        answers += [Answer(response=response, question=q, choice=values[i]) for q, values in columns if values[i]]
        if texts[i] is not None:
            text, category, _ = FREE_TEXTS[texts[i]]
            answer = Answer(response=response, question=free, text=text)
            answers.append(answer)
            free_answers.append((answer, category))
    Answer.objects.bulk_create(answers)
    categories = {c.name: c for c in AnswerCategory.objects.all()}
    Through = Answer.categories.through
    Through.objects.bulk_create(
        Through(answer_id=a.pk, answercategory_id=categories[name].pk) for a, name in free_answers if name in categories
    )
    return survey


# The ケース演習 survey (seed §4): 57 of the 60 participants answered (14 in 大阪,
# 30 in 東京, 13 in 名古屋). The counts give the seed's shares over all three:
# 大変有意義 75.4 % (グループワーク) and 71.9 % (ツールの説明); 大変よく理解
# about 7 割, 5 割前後 and 4 割弱; 9 割以上 understood; 難易度 half 適切;
# everyone finds the tool useful; 7 割強 want to work with it, 9 割以上 with
# those still considering; 商工会議所, vendors and other experts over 2 割.
WORKSHOP_RESPONDENTS = [14, 30, 13]
WORKSHOP_COUNTS = [
    [41, 14, 2, 0],
    [43, 12, 2, 0],
    [40, 15, 2, 0],
    [29, 25, 3, 0],
    [27, 27, 3, 0],
    [22, 31, 4, 0],
    [28, 29, 0],
    [57, 0],
    [16, 14, 13, 9, 5, 3],  # multiple choice: how many chose each option
    [42, 12, 3],
]
WORKSHOP_TEXTS = [
    (
        "判断基準や評価方法が専門家によって異なるのではないか。評価事例や専門家コメントの記載例がほしい。",
        "指導ツールの活用",
    ),
    ("中小企業とのマッチングの機会がほしい。支援機関経由で紹介してもらえると活動しやすい。", "活動に関する不安"),
    ("提供価値に見合った報酬の目安を示してほしい。", "報酬水準"),
    ("アセスメント後の署名の責任が重い。責任範囲と免責を明確にしてほしい。", "契約・責任"),
    ("監査の経験がないので、レベル別の研修があるとよい。", "スキル・経験等の不足"),
    ("チームで支援できる仕組みがあるとよい。", "サポートや相談窓口"),
]


def load_workshop_surveys(workshops: list[Event], seed: int = 20260114) -> list[Survey]:
    """The ケース演習 questionnaire on each of the three workshops, answered as the seed reports."""
    rng = random.Random(seed)
    total = sum(WORKSHOP_RESPONDENTS)
    surveys, per_workshop = [], []
    for event, respondents in zip(workshops, WORKSHOP_RESPONDENTS, strict=True):
        survey = Survey.objects.create(event=event, title="ケース演習 受講者アンケート", mode=Survey.Mode.PERSONAL)
        questions = add_default_questions(survey)
        attendees = list(event.applications.filter(attended=True).order_by("id")[:respondents])
        per_workshop += [(questions, a) for a in attendees]
        surveys.append(survey)
    responses = Response.objects.bulk_create(
        Response(survey=questions[0].survey, application=a, submitted_at=a.event.ends_at + datetime.timedelta(hours=1))
        for questions, a in per_workshop
    )
    answers, tagged = [], []
    for index, counts in enumerate(WORKSHOP_COUNTS):
        options = per_workshop[0][0][index].option_list
        if per_workshop[0][0][index].kind == Question.Kind.MULTIPLE:
            for option, count in zip(options, counts, strict=True):
                for r in rng.sample(range(total), count):
                    answers.append(Answer(response=responses[r], question=per_workshop[r][0][index], choice=option))
            continue
        for r, choice in enumerate(_shuffled(rng, options, counts, total)):
            if choice:
                answers.append(Answer(response=responses[r], question=per_workshop[r][0][index], choice=choice))
    for r, (text, category) in zip(rng.sample(range(total), len(WORKSHOP_TEXTS)), WORKSHOP_TEXTS, strict=True):
        answer = Answer(response=responses[r], question=per_workshop[r][0][-1], text=text)
        answers.append(answer)
        tagged.append((answer, category))
    Answer.objects.bulk_create(answers)
    categories = {c.name: c for c in AnswerCategory.objects.all()}
    Answer.categories.through.objects.bulk_create(
        Answer.categories.through(answer_id=a.pk, answercategory_id=categories[name].pk)
        for a, name in tagged
        if name in categories
    )
    return surveys


# 支援者リストの新規登録 (seed §3, 2026-02-16: 340 entries, 202 of them from
# FY2024): when the demo's entries registered, so that 新規登録件数推移 shows
# the seed's story. FY2025 had a trickle until the mail of 2025-12-03, more
# than 50 new entries in December's second and third weeks (with the ケース演習
# call of 12-15, which required registration), and nearly 20 in early to mid
# February after the reminder of 2026-02-05.
FY2024_ENTRIES = 202
FY2025_BEFORE_DECEMBER = 24
FY2025_WEEKS = [
    (datetime.date(2025, 12, 1), 4),
    (datetime.date(2025, 12, 8), 28),
    (datetime.date(2025, 12, 15), 30),
    (datetime.date(2025, 12, 22), 14),
    (datetime.date(2025, 12, 29), 6),
    (datetime.date(2026, 1, 5), 8),
    (datetime.date(2026, 1, 12), 3),
    (datetime.date(2026, 1, 19), 2),
    (datetime.date(2026, 1, 26), 1),
    (datetime.date(2026, 2, 2), 9),
    (datetime.date(2026, 2, 9), 9),
]
# The two registration mails to interested respondents who were not listed: how many each.
REGISTRATION_MAILS = [(datetime.date(2025, 12, 3), 150), (datetime.date(2026, 2, 5), 80)]


def _spread(first: datetime.date, last: datetime.date, count: int) -> list[datetime.date]:
    """``count`` days evenly from ``first`` to ``last``."""
    step = (last - first) / max(count - 1, 1)
    return [first + step * i for i in range(count)]


def load_registration_history(staff) -> None:
    """Date the demo entries as the seed's registrations came in, and the two registration mails."""
    days = _spread(datetime.date(2024, 6, 3), datetime.date(2025, 3, 28), FY2024_ENTRIES)
    days += _spread(datetime.date(2025, 4, 10), datetime.date(2025, 11, 25), FY2025_BEFORE_DECEMBER)
    for monday, count in FY2025_WEEKS:
        days += [monday + datetime.timedelta(days=i % 7) for i in range(count)]
    entries = list(Supporter.objects.published().order_by("registration_no").only("pk")[: len(days)])
    for i, (entry, day) in enumerate(zip(entries, days, strict=False)):
        entry.created_at = _at(day, f"{9 + i % 9}:{i * 7 % 60:02d}")
    Supporter.objects.bulk_update(entries, ["created_at"], batch_size=500)
    candidates = [c.email for c in follow_up_candidates()]
    reminders, start = [], 0
    for day, count in REGISTRATION_MAILS:
        reminders += [
            Reminder(email=e, sent_at=_at(day, "10:00"), sent_by=staff) for e in candidates[start : start + count]
        ]
        start += count
    Reminder.objects.bulk_create(reminders)


def load_current(now=None) -> tuple[Event, Event]:
    """An upcoming webinar with seats and a full workshop with a waiting list."""
    now = now or timezone.now()
    day = timezone.localdate(now) + datetime.timedelta(days=30)
    webinar = Event.objects.create(
        kind=Event.Kind.WEBINAR,
        title=f"{SEMINAR_TITLE}(令和8年度 第1回)",
        slug="seminar-next",
        summary="マネジメント指導ツールの使い方と、登録セキスペによる指導事例を紹介します。",
        audience="登録セキスペ(情報処理安全確保支援士)、支援者リストへの登録を検討している方",
        starts_at=_at(day, "13:00"),
        ends_at=_at(day, "15:30"),
        online_url="https://example.jp/webinar/join/demo",
        capacity=500,
        applications_close_at=_at(day - datetime.timedelta(days=1), "17:00"),
        status=Event.Status.OPEN,
    )
    ProgrammeItem.objects.bulk_create(
        ProgrammeItem(
            event=webinar,
            order=o,
            starts_at=datetime.time.fromisoformat(t),
            title=title,
            presenter=p,
            duration_minutes=m,
        )
        for o, (t, title, p, m) in enumerate(WEBINAR_PROGRAMME, start=1)
    )
    Application.objects.bulk_create(_applications(webinar, "next", 120, 0))

    workshop_day = day + datetime.timedelta(days=14)
    workshop = Event.objects.create(
        kind=Event.Kind.WORKSHOP,
        title=f"{WORKSHOP_TITLE}(福岡)",
        slug="workshop-next-fukuoka",
        summary=WORKSHOP_SUMMARY,
        audience=WORKSHOP_AUDIENCE,
        eligibility=Event.Eligibility.LISTED,
        starts_at=_at(workshop_day, "10:00"),
        ends_at=_at(workshop_day, "16:00"),
        venue_name="福岡商工会議所",
        venue_room="研修室",
        venue_address="福岡市博多区",
        capacity=20,
        applications_close_at=_at(workshop_day - datetime.timedelta(days=7), "17:00"),
        status=Event.Status.OPEN,
    )
    ProgrammeItem.objects.bulk_create(
        ProgrammeItem(event=workshop, order=o, section=s, title=title, presenter=p, duration_minutes=m)
        for o, (s, title, p, m) in enumerate(WORKSHOP_PROGRAMME, start=1)
    )
    numbers = list(
        Supporter.objects.published().order_by("registration_no").values_list("registration_no", flat=True)[1:24]
    )
    rows = _applications(workshop, "fukuoka", 23, 0, numbers=numbers or ["000000"])
    for row in rows[20:]:
        row.status = Application.Status.WAITLISTED
    user, supporter = demo_expert()
    if supporter:
        rows[0].name, rows[0].email, rows[0].registration_no = supporter.name, user.email, supporter.registration_no
    Application.objects.bulk_create(rows)
    return webinar, workshop


def load(stdout=None) -> int:
    staff = demo_staff()
    if Event.objects.filter(slug="seminar-2025-1").exists():
        return Event.objects.count()  # already loaded: load_demo may run again
    history = load_history()
    load_survey(history[0])
    load_workshop_surveys([e for e in history if e.kind == Event.Kind.WORKSHOP])
    load_registration_history(staff)
    FaqEntry.objects.bulk_create(
        FaqEntry(event=history[0] if i else None, order=i, question=q, answer=a, is_published=True)
        for i, (q, a) in enumerate(FAQ)
    )
    load_current()
    count = Event.objects.count()
    if stdout:
        stdout.write(f"セミナー {count}件(申込 {Application.objects.count():,}件)を読み込みました。")
    return count
