"""Seminar workflows that lock rows, span models or send mail."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower, Trim
from django.urls import reverse
from django.utils import timezone

from config.charts import percent
from config.mail import queue_rendered
from config.spreadsheets import RowError
from supporters.models import Supporter

from .models import Answer, Application, Event, PendingApplication, Question, Reminder, Response, Survey

# One salt per purpose, so a link made for one thing never opens another.
APPLICATION_SALT = "seminars.application"
SURVEY_SALT = "seminars.survey"
CONFIRM_SALT = "seminars.confirm"

# The intent options that count as "wants to register": the first two, as the
# seed's reminder went to everyone who showed interest (登録したい + 関心はある).
INTERESTED_OPTION_COUNT = 2


class ApplicationRefused(Exception):
    """The application cannot be accepted; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# Signed links -------------------------------------------------------------


def _token(salt: str, record) -> str:
    """A signed link naming ``record`` (an application, or an application waiting for confirmation)."""
    return signing.dumps([record.pk, record.email], salt=salt, compress=True)


def _from_token(salt: str, token: str, queryset=None):
    """The object (an application unless ``queryset`` says otherwise) the link was made for."""
    try:
        pk, email = signing.loads(token, salt=salt)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if queryset is None:
        queryset = Application.objects.select_related("event")
    return queryset.filter(pk=pk, email=email).first()


def application_token(application: Application) -> str:
    return _token(APPLICATION_SALT, application)


def application_from_token(token: str) -> Application | None:
    return _from_token(APPLICATION_SALT, token)


def confirmation_token(pending: PendingApplication) -> str:
    return _token(CONFIRM_SALT, pending)


def pending_from_token(token: str) -> PendingApplication | None:
    return _from_token(CONFIRM_SALT, token, PendingApplication.objects.select_related("event", "supporter"))


def survey_token(application: Application) -> str:
    return _token(SURVEY_SALT, application)


def application_from_survey_token(token: str) -> Application | None:
    return _from_token(SURVEY_SALT, token)


def _mail(template: str, context: dict, to: str) -> None:
    queue_rendered(template, context, [to])


# Applications ---------------------------------------------------------------


DUPLICATE_MESSAGE = (
    "このメールアドレスではすでにお申し込みいただいています。申込内容は確認メールのリンクからご覧いただけます。"
)


@transaction.atomic
def apply(*, event_id: int, data: dict) -> Application:
    """Accept an application, or put it on the waiting list when full.

    The event row is locked, so two requests for the last seat are decided one
    after the other and capacity can never be exceeded.
    """
    event = Event.objects.select_for_update().get(pk=event_id)
    reason = event.accepting_reason()
    if reason:
        raise ApplicationRefused(reason)
    email = data["email"].strip().lower()
    if event.applications.active().filter(email=email).exists():
        raise ApplicationRefused(DUPLICATE_MESSAGE, field="email")
    confirmed = event.applications.filter(status=Application.Status.CONFIRMED).count()
    status = Application.Status.CONFIRMED if confirmed < event.capacity else Application.Status.WAITLISTED
    try:
        with transaction.atomic():
            return Application.objects.create(event=event, status=status, **{**data, "email": email})
    except IntegrityError:  # the same form submitted twice at once (SQLite takes no row locks)
        raise ApplicationRefused(DUPLICATE_MESSAGE, field="email") from None


NO_ADDRESS = (
    "この登録番号の掲載情報にはメールアドレスが登録されていないため、メールでご本人を確認できません。"
    "掲載中の専門家のアカウントでログインしてお申し込みいただくか、事務局にお問い合わせください。"
)
ALREADY_APPLIED = "この登録番号の方はすでにお申し込み済みです。申込内容は確認メールのリンクからご覧いただけます。"


@transaction.atomic
def request_confirmation(*, event: Event, supporter: Supporter, data: dict, base_url: str) -> PendingApplication:
    """Hold an application to a 掲載者のみ event and mail a link to the entry's own address.

    The 登録番号 is public, so typing one proves nothing: the application
    exists only once someone who reads that entry's mail confirms it
    (``confirm_pending``). A few mails a day per entry at most, so that the
    form cannot be used to flood an expert's mailbox.
    """
    reason = event.accepting_reason()
    if reason:
        raise ApplicationRefused(reason)
    supporter = Supporter.objects.select_for_update().get(pk=supporter.pk)
    address = (supporter.contact_address or "").strip().lower()
    if not address:
        raise ApplicationRefused(NO_ADDRESS, field="registration_no")
    if event.applications.active().filter(email=address).exists():
        raise ApplicationRefused(ALREADY_APPLIED, field="registration_no")
    now = timezone.now()
    recent = PendingApplication.objects.filter(supporter=supporter, created_at__gt=now - datetime.timedelta(days=1))
    if recent.count() >= PendingApplication.MAILS_PER_ENTRY_PER_DAY:
        raise ApplicationRefused(
            f"この登録番号の掲載情報には、24時間以内に確認メールを{PendingApplication.MAILS_PER_ENTRY_PER_DAY}回お送りしました。"
            "届いたメールのリンクから申込を確定してください。",
            field="registration_no",
        )
    pending = PendingApplication.objects.create(
        event=event,
        supporter=supporter,
        email=address,
        data=data,
        expires_at=now + datetime.timedelta(hours=PendingApplication.HOURS),
    )
    link = base_url + reverse("seminars:confirm", args=[confirmation_token(pending)])
    _mail("seminars/mail/confirm.txt", {"pending": pending, "event": event, "link": link}, address)
    return pending


@transaction.atomic
def confirm_pending(*, pending: PendingApplication) -> Application:
    """The entry's address confirmed: the held application is made (seats decided now)."""
    pending = PendingApplication.objects.select_for_update().select_related("supporter").get(pk=pending.pk)
    if not pending.is_open:
        raise ApplicationRefused(
            "このリンクはすでに使われたか、有効期限(24時間)が切れています。もう一度お申し込みください。"
        )
    if pending.supporter.status != Supporter.Status.PUBLISHED:
        raise ApplicationRefused("この登録番号の掲載は終了しているため、このイベントには申し込めません。")
    application = apply(
        event_id=pending.event_id,
        data={**pending.data, "email": pending.email, "registration_no": pending.supporter.registration_no},
    )
    pending.confirmed_at = timezone.now()
    pending.application = application
    pending.save(update_fields=["confirmed_at", "application"])
    return application


def send_application_mail(application: Application, *, base_url: str) -> None:
    link = base_url + reverse("seminars:application", args=[application_token(application)])
    _mail(
        "seminars/mail/applied.txt",
        {"application": application, "event": application.event, "link": link},
        application.email,
    )


@transaction.atomic
def cancel_application(*, application_id: int) -> list[Application]:
    """Cancel; fill freed seats from the waiting list in order. Returns the promoted."""
    event_id = Application.objects.values_list("event_id", flat=True).get(pk=application_id)
    event = Event.objects.select_for_update().get(pk=event_id)
    application = Application.objects.get(pk=application_id)
    application.cancel()
    application.save(update_fields=["status", "cancelled_at"])
    promoted = []
    if event.is_past or event.status == Event.Status.CANCELLED:
        return promoted
    confirmed = event.applications.filter(status=Application.Status.CONFIRMED).count()
    for waiting in event.applications.waiting_line()[: max(event.capacity - confirmed, 0)]:
        waiting.promote()
        waiting.save(update_fields=["status", "promoted_at"])
        promoted.append(waiting)
    return promoted


def send_promotion_mail(application: Application, *, base_url: str) -> None:
    link = base_url + reverse("seminars:application", args=[application_token(application)])
    _mail(
        "seminars/mail/promoted.txt",
        {"application": application, "event": application.event, "link": link},
        application.email,
    )


# Attendance -------------------------------------------------------------------

EMAIL_HEADERS = (
    "メールアドレス",
    "メール",
    "ユーザーのメール",
    "email",
    "e-mail",
    "mail",
    "email address",
    "attendee email",
)


class AttendanceRefused(Exception):
    def __init__(self, errors: list):
        super().__init__("; ".join(map(str, errors)))
        self.errors = errors


@transaction.atomic
def import_attendance(*, event: Event, rows: list[Sequence]) -> int:
    """Mark attendees from a webinar tool's report (rows read by the kernel's reader, matched by
    e-mail); all or nothing. Returns how many applications were newly marked as attended.
    """
    header = [str(h or "").strip().lower() for h in rows[0]]
    column = next((header.index(h) for h in EMAIL_HEADERS if h in header), None)
    if column is None:
        raise AttendanceRefused(
            [RowError(1, "メールアドレスの列が見つかりません(見出しを「メールアドレス」にしてください)")]
        )
    applications = {a.email: a for a in event.applications.active()}
    errors, found = [], set()
    for line, cells in enumerate(rows[1:], start=2):
        cell = cells[column] if column < len(cells) else None
        value = str(cell or "").strip().lower()
        if not value:
            if any(str(c or "").strip() for c in cells):
                errors.append(RowError(line, "メールアドレスが空です"))
            continue
        try:
            validate_email(value)
        except ValidationError:
            errors.append(RowError(line, f"メールアドレス「{value}」の形式が正しくありません"))
            continue
        application = applications.get(value)
        if application is None:
            errors.append(RowError(line, f"「{value}」の申込はこのイベントにありません"))
        elif application.status != Application.Status.CONFIRMED:
            errors.append(RowError(line, f"「{value}」は{application.get_status_display()}のため出席にできません"))
        else:
            found.add(application.pk)
    if errors:
        raise AttendanceRefused(errors)
    return event.applications.filter(pk__in=found, attended=False).update(attended=True)


# Report -----------------------------------------------------------------------


@dataclass
class ReportRow:
    label: str
    applicants: int
    participants: int
    event: Event | None = None

    @property
    def rate(self):
        # One decimal, rounded half up as in the seed's table.
        return percent(self.participants, self.applicants)


@dataclass
class ReportGroup:
    label: str
    rows: list[ReportRow]

    @property
    def total(self) -> ReportRow:
        return ReportRow("合計", sum(r.applicants for r in self.rows), sum(r.participants for r in self.rows))


def fiscal_year_label(when) -> str:
    """Japanese fiscal year (April to March), e.g. 2025年度(令和7年度)."""
    day = timezone.localtime(when)
    year = day.year if day.month >= 4 else day.year - 1
    return f"{year}年度(令和{year - 2018}年度)"


def attendance_report(now=None) -> tuple[list[ReportGroup], list[Event]]:
    """Held events: 申込者数・参加者数・参加率 per event, per fiscal year and kind;
    and the events still to come with their application counts (one query)."""
    now = now or timezone.now()
    events = Event.objects.public().exclude(status=Event.Status.CANCELLED).with_counts().order_by("starts_at")
    groups: dict[tuple, ReportGroup] = {}
    upcoming = []
    kinds = [k for k, _ in Event.Kind.choices]
    for event in events:
        if event.ends_at >= now:
            upcoming.append(event)
            continue
        key = (fiscal_year_label(event.starts_at), kinds.index(event.kind))
        group = groups.setdefault(key, ReportGroup(f"{key[0]} {event.get_kind_display()}", []))
        group.rows.append(
            ReportRow(event.title, event.confirmed_count + event.waiting_count, event.attended_count, event)
        )
    return [groups[k] for k in sorted(groups)], upcoming


# Surveys --------------------------------------------------------------------------


ALREADY_ANSWERED = "このリンクからはすでに回答いただいています。"


@transaction.atomic
def submit_response(
    *, survey: Survey, answers: dict[Question, object], application: Application | None = None
) -> Response:
    """Store one response; a personal link answers once only."""
    if application is not None:
        Application.objects.select_for_update().get(pk=application.pk)
        if Response.objects.filter(application=application).exists():
            raise ApplicationRefused(ALREADY_ANSWERED)
    try:
        with transaction.atomic():
            response = Response.objects.create(survey=survey, application=application)
    except IntegrityError:  # a parallel submission won (SQLite has no row locks)
        raise ApplicationRefused(ALREADY_ANSWERED) from None
    rows = []
    for question, value in answers.items():
        if question.kind == Question.Kind.TEXT:
            if value:
                rows.append(Answer(response=response, question=question, text=value))
        else:
            for choice in value if isinstance(value, list) else [value] if value else []:
                rows.append(Answer(response=response, question=question, choice=choice))
    Answer.objects.bulk_create(rows)
    return response


def survey_request_targets(survey: Survey):
    """Attendees with a personal link to send: present, not yet answered, never asked."""
    return survey.event.applications.filter(
        status=Application.Status.CONFIRMED,
        attended=True,
        survey_response__isnull=True,
        survey_requested_at__isnull=True,
    ).order_by("pk")


@transaction.atomic
def send_survey_requests(*, survey: Survey, base_url: str) -> int:
    """Queue a personal survey link for every attendee who has neither answered nor been asked.

    The rows are locked and marked in the same transaction: a second send running at the same
    moment skips them, and once this one commits finds them asked."""
    targets = list(survey_request_targets(survey).select_for_update(skip_locked=True, of=("self",)))
    Application.objects.filter(pk__in=[a.pk for a in targets]).update(survey_requested_at=timezone.now())
    for application in targets:
        link = base_url + reverse("seminars:survey-personal", args=[survey_token(application)])
        _mail(
            "seminars/mail/survey.txt", {"application": application, "survey": survey, "link": link}, application.email
        )
    return len(targets)


# Follow-up funnel ---------------------------------------------------------------


def listed_among(emails: set[str]) -> set[str]:
    """Which of ``emails`` (lower case) belong to someone already on the list,
    by account or by published address. Asks about these addresses only: the
    list has tens of thousands of entries."""
    if not emails:
        return set()
    rows = (
        Supporter.objects.live()
        .annotate(address=Lower(Trim("email")))
        .filter(Q(user__username__in=emails) | Q(address__in=emails))
        .values_list("user__username", "address")
    )
    return {e for pair in rows for e in pair if e in emails}


@dataclass
class Candidate:
    email: str
    name: str
    events: list[str]
    intent: str
    reminded_at: object = None


def follow_up_candidates() -> list[Candidate]:
    """Respondents who said they want to register but are not on the list."""
    # Plain values, not model instances: thousands of answers at full scale.
    answers = (
        Answer.objects.filter(question__purpose=Question.Purpose.INTENT, response__application__isnull=False)
        .order_by("response__submitted_at", "id")
        .values_list(
            "question__kind",
            "question__options",
            "choice",
            "response__application__email",
            "response__application__name",
            "response__application__event__title",
        )
    )

    @functools.cache
    def interesting(kind: str, options: str) -> frozenset[str]:
        return frozenset(Question(kind=kind, options=options).option_list[:INTERESTED_OPTION_COUNT])

    interested = [row[2:] for row in answers if row[2] in interesting(row[0], row[1])]
    listed = listed_among({email for _, email, _, _ in interested})
    reminded = dict(Reminder.objects.values_list("email", "sent_at"))
    found: dict[str, Candidate] = {}
    for choice, email, name, event_title in interested:
        if email in listed:
            continue
        candidate = found.setdefault(email, Candidate(email, name, [], choice, reminded.get(email)))
        candidate.events.append(event_title)
    return list(found.values())


def unreminded_candidates() -> list[Candidate]:
    return [c for c in follow_up_candidates() if c.reminded_at is None]


@transaction.atomic
def send_reminders(*, sent_by, base_url: str) -> int:
    """Queue one reminder to each candidate never reminded before, logged per address in the
    same transaction. The address is unique: if a send running at the same moment took some of
    them first, this one leaves those out and logs the rest."""
    targets = unreminded_candidates()
    while True:
        try:
            with transaction.atomic():
                Reminder.objects.bulk_create([Reminder(email=c.email, sent_by=sent_by) for c in targets])
            break
        except IntegrityError:
            taken = set(Reminder.objects.filter(email__in=[c.email for c in targets]).values_list("email", flat=True))
            targets = [c for c in targets if c.email not in taken]
    list_url = base_url + reverse("supporters:for-experts")
    for candidate in targets:
        _mail("seminars/mail/reminder.txt", {"candidate": candidate, "list_url": list_url}, candidate.email)
    return len(targets)


def reminder_outcomes():
    """Reminders, each annotated with whether that address has since applied."""
    applied = Supporter.objects.filter(user__username=OuterRef("email"), created_at__gt=OuterRef("sent_at"))
    return Reminder.objects.annotate(applied=Exists(applied))
