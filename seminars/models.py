"""Seminars: events, their applications and attendance, surveys, FAQ, materials.

Status changes live here as explicit methods that refuse illegal moves; the
workflows that lock rows and send mail are in ``services.py``.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from config.transitions import TransitionRefused


def _move(obj, allowed_from, to, **extra):
    if obj.status not in allowed_from:
        raise TransitionRefused(f"{obj.get_status_display()}から{to.label}には変更できません。")
    obj.status = to
    for name, value in extra.items():
        setattr(obj, name, value)


# Paths under /seminars/ that an event's slug must not shadow.
RESERVED_SLUGS = {"faq", "report", "applications", "surveys", "confirm"}


def validate_slug_free(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(f"「{value}」はURL名に使えません。別の名前にしてください。")


class EventQuerySet(models.QuerySet):
    def public(self):
        """Events the public may see (not drafts)."""
        return self.exclude(status=Event.Status.DRAFT)

    def upcoming(self, now=None):
        return self.filter(ends_at__gte=now or timezone.now()).order_by("starts_at")

    def past(self, now=None):
        return self.filter(ends_at__lt=now or timezone.now()).order_by("-starts_at")

    def with_counts(self):
        """Annotate confirmed, waiting and attended numbers (one query)."""
        A = Application.Status
        return self.annotate(
            confirmed_count=Count("applications", filter=Q(applications__status=A.CONFIRMED)),
            waiting_count=Count("applications", filter=Q(applications__status=A.WAITLISTED)),
            attended_count=Count(
                "applications", filter=Q(applications__status=A.CONFIRMED, applications__attended=True)
            ),
        )


class Event(models.Model):
    class Kind(models.TextChoices):
        WEBINAR = "webinar", "ウェビナー"
        WORKSHOP = "workshop", "ケース演習"
        LECTURE = "lecture", "講演"

    class Eligibility(models.TextChoices):
        ANYONE = "anyone", "どなたでも"
        LISTED = "listed", "支援者リスト掲載者のみ"

    class Status(models.TextChoices):
        DRAFT = "draft", "下書き"
        OPEN = "open", "受付中"
        CLOSED = "closed", "受付終了"
        CANCELLED = "cancelled", "中止"

    kind = models.CharField("種別", max_length=10, choices=Kind.choices)
    title = models.CharField("名称", max_length=200)
    slug = models.SlugField(
        "URL名",
        max_length=80,
        unique=True,
        validators=[validate_slug_free],
        help_text="半角英数字とハイフン。URLに使われます。",
    )
    summary = models.TextField("概要", blank=True)
    audience = models.CharField("対象", max_length=300, blank=True)
    eligibility = models.CharField("参加要件", max_length=10, choices=Eligibility.choices, default=Eligibility.ANYONE)
    starts_at = models.DateTimeField("開始日時")
    ends_at = models.DateTimeField("終了日時")
    venue_name = models.CharField("会場名", max_length=200, blank=True, help_text="空欄ならオンライン開催です。")
    venue_address = models.CharField("会場の所在地", max_length=300, blank=True)
    venue_room = models.CharField("部屋", max_length=100, blank=True)
    online_url = models.URLField(
        "参加用URL", max_length=500, blank=True, help_text="参加が確定した申込者だけに表示します。"
    )
    capacity = models.PositiveIntegerField("定員")
    applications_open_at = models.DateTimeField("申込受付開始", null=True, blank=True)
    applications_close_at = models.DateTimeField("申込締切", null=True, blank=True)
    status = models.CharField("状態", max_length=10, choices=Status.choices, default=Status.DRAFT)
    archive_url = models.URLField("アーカイブ動画URL", max_length=500, blank=True)
    created_at = models.DateTimeField("作成日時", default=timezone.now, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = "イベント"
        verbose_name_plural = "イベント"
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")),
                name="event_ends_after_start",
                violation_error_message="終了日時は開始日時より後にしてください。",
            ),
        ]

    def __str__(self):
        return f"{self.title}({timezone.localtime(self.starts_at):%Y/%m/%d})"

    def get_absolute_url(self):
        return reverse("seminars:detail", args=[self.slug])

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": "終了日時は開始日時より後にしてください。"})
        if (
            self.applications_open_at
            and self.applications_close_at
            and self.applications_close_at < self.applications_open_at
        ):
            raise ValidationError({"applications_close_at": "申込締切は受付開始より後にしてください。"})
        if self.applications_close_at and self.starts_at and self.applications_close_at > self.starts_at:
            raise ValidationError({"applications_close_at": "申込締切は開始日時より前にしてください。"})

    # Transitions ---------------------------------------------------------

    def publish(self):
        _move(self, {self.Status.DRAFT}, self.Status.OPEN)

    def close_applications(self):
        _move(self, {self.Status.OPEN}, self.Status.CLOSED)

    def reopen_applications(self):
        _move(self, {self.Status.CLOSED}, self.Status.OPEN)

    def cancel(self):
        _move(self, {self.Status.DRAFT, self.Status.OPEN, self.Status.CLOSED}, self.Status.CANCELLED)

    # Derived state ---------------------------------------------------------

    @property
    def is_online(self) -> bool:
        return not self.venue_name

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def for_listed_only(self) -> bool:
        return self.eligibility == self.Eligibility.LISTED

    def accepting_reason(self, now=None) -> str:
        """ "" when applications are accepted now, else why not (for the page)."""
        now = now or timezone.now()
        if self.status == self.Status.CANCELLED:
            return "このイベントは中止になりました。"
        if self.status != self.Status.OPEN or now >= self.starts_at:
            return "申込の受付は終了しました。"
        if self.applications_open_at and now < self.applications_open_at:
            return f"申込の受付は{timezone.localtime(self.applications_open_at):%Y年%-m月%-d日 %H:%M}からです。"
        if self.applications_close_at and now >= self.applications_close_at:
            return "申込の受付は終了しました。"
        return ""

    @property
    def is_accepting(self) -> bool:
        return not self.accepting_reason()

    @property
    def deadline(self):
        """When applications close: the 申込締切 set, else the start (accepting_reason enforces both)."""
        return self.applications_close_at or self.starts_at

    @property
    def is_full(self) -> bool:
        """Every seat taken: new applications join the waiting list; needs ``with_counts()``."""
        return self.remaining_seats == 0

    def listing_status(self, now=None) -> tuple[str, str]:
        """(label, style) of the badge in the list and on the page; needs ``with_counts()``.

        A full event still accepts applications, but only for the waiting list:
        it says so instead of 「受付中」."""
        now = now or timezone.now()
        if self.status == self.Status.CANCELLED:
            return "中止", ""
        if self.ends_at < now:
            return "終了", ""
        if self.accepting_reason(now):
            if self.applications_open_at and now < self.applications_open_at and self.status == self.Status.OPEN:
                return "受付開始前", ""
            return "受付終了", ""
        if self.is_full:
            return "満席・キャンセル待ち", "full"
        return "受付中", "open"

    @property
    def remaining_seats(self) -> int:
        """Seats not yet taken; needs ``with_counts()``."""
        return max(self.capacity - self.confirmed_count, 0)


class ProgrammeItem(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="programme", verbose_name="イベント")
    order = models.PositiveSmallIntegerField("順番", default=0)
    section = models.CharField("区分", max_length=50, blank=True, help_text="例: 講演、グループワーク")
    starts_at = models.TimeField("開始時刻", null=True, blank=True)
    title = models.CharField("内容", max_length=300)
    presenter = models.CharField("担当", max_length=200, blank=True)
    duration_minutes = models.PositiveSmallIntegerField("時間(分)", null=True, blank=True)

    class Meta:
        verbose_name = "プログラム"
        verbose_name_plural = "プログラム"
        ordering = ["order", "id"]

    def __str__(self):
        return self.title

    @property
    def duration_label(self) -> str:
        if not self.duration_minutes:
            return ""
        hours, minutes = divmod(self.duration_minutes, 60)
        return (f"{hours}時間" if hours else "") + (f"{minutes}分" if minutes else "")


class Speaker(models.Model):
    class Role(models.TextChoices):
        GUEST = "guest", "ゲストスピーカー"
        FACILITATOR = "facilitator", "ファシリテーター"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="speakers", verbose_name="イベント")
    order = models.PositiveSmallIntegerField("順番", default=0)
    role = models.CharField("役割", max_length=12, choices=Role.choices, default=Role.GUEST)
    name = models.CharField("氏名", max_length=100)
    affiliation = models.CharField("所属", max_length=200, blank=True)
    work_form = models.CharField("形態", max_length=50, blank=True, help_text="例: 副業、個人")
    case_study = models.TextField("事例", blank=True, help_text="事例企業とテーマ")

    class Meta:
        verbose_name = "登壇者"
        verbose_name_plural = "登壇者"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class ApplicationQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status=Application.Status.CANCELLED)

    def waiting_line(self):
        return self.filter(status=Application.Status.WAITLISTED).order_by("created_at", "id")


class Application(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "参加確定"
        WAITLISTED = "waitlisted", "キャンセル待ち"
        CANCELLED = "cancelled", "取消済み"

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="applications", verbose_name="イベント")
    status = models.CharField("状態", max_length=10, choices=Status.choices)
    name = models.CharField("氏名", max_length=100)
    name_kana = models.CharField("氏名(カナ)", max_length=100)
    email = models.EmailField("メールアドレス")
    organization = models.CharField("所属", max_length=200, blank=True)
    registration_no = models.CharField("登録番号", max_length=6, blank=True)
    question = models.TextField("申込時の質問", max_length=2000, blank=True)
    attended = models.BooleanField("出席", default=False)
    created_at = models.DateTimeField("申込日時", default=timezone.now, editable=False)
    promoted_at = models.DateTimeField("繰り上げ日時", null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField("取消日時", null=True, blank=True, editable=False)
    # When the personal survey link was queued for this attendee: asked once only.
    survey_requested_at = models.DateTimeField("アンケート依頼日時", null=True, blank=True, editable=False)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "申込"
        verbose_name_plural = "申込"
        ordering = ["event", "created_at", "id"]
        constraints = [
            # The last line of defence against double applications; the form
            # refuses them earlier with a kinder message.
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~Q(status="cancelled"),
                name="one_active_application_per_email",
                violation_error_message="このメールアドレスではすでに申し込まれています。",
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "attended"], name="application_counts")]

    def __str__(self):
        return f"{self.name}({self.event.title})"

    def save(self, *args, **kwargs):
        # Lower case so that duplicates and attendee matching ignore case.
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    def cancel(self):
        _move(self, {self.Status.CONFIRMED, self.Status.WAITLISTED}, self.Status.CANCELLED, cancelled_at=timezone.now())

    def promote(self):
        _move(self, {self.Status.WAITLISTED}, self.Status.CONFIRMED, promoted_at=timezone.now())

    def mark_attended(self):
        if self.status != self.Status.CONFIRMED:
            raise TransitionRefused(f"{self.get_status_display()}の申込は出席にできません。")
        self.attended = True


class PendingApplicationQuerySet(models.QuerySet):
    def open(self, now=None):
        return self.filter(confirmed_at__isnull=True, expires_at__gt=now or timezone.now())


class PendingApplication(models.Model):
    """An application to a 掲載者のみ event, waiting for the entry's own address to confirm it.

    Someone not signed in as a listed expert types a 登録番号, which anyone can
    read on the public list: so the application is held here, and a link goes
    to the address the entry has on file (never to an address the applicant
    typed). Opening it and confirming makes the application. The link is
    signed like the site's other seminar links (services.confirmation_token).
    """

    HOURS = 24
    MAILS_PER_ENTRY_PER_DAY = 3

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="pending_applications")
    supporter = models.ForeignKey(
        "supporters.Supporter", on_delete=models.CASCADE, related_name="+", verbose_name="掲載情報"
    )
    email = models.EmailField("確認メールの送信先")
    data = models.JSONField("申込内容", default=dict)
    created_at = models.DateTimeField("受付日時", default=timezone.now, editable=False)
    expires_at = models.DateTimeField("有効期限")
    confirmed_at = models.DateTimeField("確認日時", null=True, blank=True)
    application = models.OneToOneField(
        Application, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="申込"
    )

    objects = PendingApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "メール確認待ちの申込"
        verbose_name_plural = "メール確認待ちの申込"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.data.get('name', '')}({self.event.title})"

    @property
    def is_open(self) -> bool:
        return self.confirmed_at is None and self.expires_at > timezone.now()

    @property
    def masked_email(self) -> str:
        """The address as the applicant may see it: enough to recognise, not to harvest."""
        local, _, domain = self.email.partition("@")
        return f"{local[:2]}****@{domain}"


def validate_pdf(upload):
    """Only real PDFs of a bounded size: extension, magic bytes and size."""
    limit = settings.SEMINARS_MATERIAL_MAX_BYTES
    if Path(upload.name).suffix.lower() != ".pdf":
        raise ValidationError("資料はPDFファイル(拡張子 .pdf)でアップロードしてください。")
    if upload.size > limit:
        raise ValidationError(f"ファイルが大きすぎます(最大{limit // (1024 * 1024)}MB)。")
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise ValidationError("PDFファイルとして読み込めません。内容がPDFか確認してください。")


class Material(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials", verbose_name="イベント")
    order = models.PositiveSmallIntegerField("順番", default=0)
    title = models.CharField("資料名", max_length=200)
    file = models.FileField("PDFファイル", upload_to="seminars/materials/", validators=[validate_pdf])

    class Meta:
        verbose_name = "説明資料"
        verbose_name_plural = "説明資料"
        ordering = ["order", "id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("seminars:material", args=[self.event.slug, self.pk])


class FaqEntry(models.Model):
    event = models.ForeignKey(
        Event,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="faq_entries",
        verbose_name="イベント",
        help_text="空欄なら全体のFAQです。",
    )
    source = models.ForeignKey(
        Application,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="元の申込",
    )
    order = models.PositiveSmallIntegerField("順番", default=0)
    question = models.TextField("質問")
    answer = models.TextField("回答", blank=True)
    is_published = models.BooleanField("公開", default=False)

    class Meta:
        verbose_name = "FAQ"
        verbose_name_plural = "FAQ"
        ordering = ["order", "id"]

    def __str__(self):
        return self.question[:40]

    def clean(self):
        if self.is_published and not self.answer.strip():
            raise ValidationError({"answer": "公開するFAQには回答を入力してください。"})


class Survey(models.Model):
    class Mode(models.TextChoices):
        PERSONAL = "personal", "個人別リンク(1人1回)"
        ANONYMOUS = "anonymous", "匿名リンク"

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="survey", verbose_name="イベント")
    title = models.CharField("題名", max_length=200, default="セミナー参加者アンケート")
    mode = models.CharField("回答方法", max_length=10, choices=Mode.choices, default=Mode.PERSONAL)
    is_open = models.BooleanField("回答受付中", default=True)
    anonymous_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = "アンケート"
        verbose_name_plural = "アンケート"

    def __str__(self):
        return f"{self.title}({self.event.title})"

    def anonymous_url(self):
        return reverse("seminars:survey-anonymous", args=[self.anonymous_key])


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "単一選択"
        MULTIPLE = "multiple", "複数選択"
        SCALE = "scale", "段階評価(1〜5)"
        TEXT = "text", "自由記述"

    class Purpose(models.TextChoices):
        NONE = "", "—"
        SATISFACTION = "satisfaction", "満足度"
        INTENT = "intent", "支援者リストへの登録・活動意向"

    SCALE_POINTS = (1, 2, 3, 4, 5)

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions", verbose_name="アンケート")
    order = models.PositiveSmallIntegerField("順番", default=0)
    kind = models.CharField("形式", max_length=10, choices=Kind.choices)
    text = models.CharField("質問文", max_length=300)
    options = models.TextField("選択肢", blank=True, help_text="1行に1つ。選択式のときだけ使います。")
    required = models.BooleanField("必須", default=True)
    purpose = models.CharField(
        "用途",
        max_length=12,
        choices=Purpose.choices,
        blank=True,
        help_text="「登録・活動意向」の質問は、登録を促すフォローアップに使います。",
    )

    class Meta:
        verbose_name = "質問"
        verbose_name_plural = "質問"
        ordering = ["order", "id"]

    def __str__(self):
        return self.text

    @property
    def option_list(self) -> list[str]:
        if self.kind == self.Kind.SCALE:
            return [str(p) for p in self.SCALE_POINTS]
        return [line.strip() for line in self.options.splitlines() if line.strip()]

    @property
    def is_choice(self) -> bool:
        return self.kind != self.Kind.TEXT

    def clean(self):
        if self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE) and len(self.option_list) < 2:
            raise ValidationError({"options": "選択式の質問には選択肢を2つ以上、1行に1つずつ入力してください。"})


class Response(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses", verbose_name="アンケート")
    application = models.OneToOneField(
        Application,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_response",
        verbose_name="申込",
    )
    submitted_at = models.DateTimeField("回答日時", default=timezone.now)

    class Meta:
        verbose_name = "回答"
        verbose_name_plural = "回答"
        ordering = ["submitted_at", "id"]

    def __str__(self):
        return f"回答 {self.pk}"


class AnswerCategory(models.Model):
    name = models.CharField("カテゴリ", max_length=100, unique=True)
    order = models.PositiveSmallIntegerField("順番", default=0)

    class Meta:
        verbose_name = "自由記述のカテゴリ"
        verbose_name_plural = "自由記述のカテゴリ"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class Answer(models.Model):
    """One chosen option (several rows for a multiple choice) or a free text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers", verbose_name="回答")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers", verbose_name="質問")
    choice = models.CharField("選択", max_length=300, blank=True)
    text = models.TextField("自由記述", blank=True)
    categories = models.ManyToManyField(AnswerCategory, blank=True, related_name="answers", verbose_name="カテゴリ")

    class Meta:
        verbose_name = "回答内容"
        verbose_name_plural = "回答内容"
        ordering = ["question__order", "id"]
        indexes = [models.Index(fields=["question", "choice"], name="answer_question_choice")]

    def __str__(self):
        return self.choice or self.text[:40]


class Reminder(models.Model):
    """A follow-up e-mail to one address; the unique e-mail makes it once only."""

    email = models.EmailField("メールアドレス", unique=True)
    sent_at = models.DateTimeField("送信日時", default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="送信者"
    )

    class Meta:
        verbose_name = "登録リマインド"
        verbose_name_plural = "登録リマインド"
        ordering = ["sent_at", "id"]

    def __str__(self):
        return self.email
