"""セキュリティアセスメント: the ★3 catalogue, the engagement, the sheet and the plan."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from config.transitions import TransitionRefused
from supporters.models import Supporter
from supporters.taxonomy import INDUSTRIES

INVITATION_DAYS = 14


def display_name(user) -> str:
    """姓 名 in Japanese order, else the e-mail address."""
    if user is None:
        return "—"
    return f"{user.last_name} {user.first_name}".strip() or user.email or user.username


# The requirement catalogue ----------------------------------------------


class CatalogueVersionQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True).order_by("-created_at").first()


class CatalogueVersion(models.Model):
    name = models.CharField("版の名称", max_length=100, unique=True)
    is_current = models.BooleanField(
        "新しいアセスメントで使う",
        default=False,
        help_text="チェックした版が、これから始めるアセスメントに使われます(1つだけ)。",
    )
    created_at = models.DateTimeField("作成日時", default=timezone.now, editable=False)

    objects = CatalogueVersionQuerySet.as_manager()

    class Meta:
        verbose_name = "要求事項の版"
        verbose_name_plural = "要求事項の版"
        ordering = ["-created_at"]

    def __str__(self):
        return self.name

    def duplicate(self, name: str) -> CatalogueVersion:
        """A copy of the whole catalogue under ``name`` (not current), to edit into a new version."""
        copy = CatalogueVersion.objects.create(name=name)
        for major in self.majors.prefetch_related("middles__requirements__criteria"):
            new_major = MajorCategory.objects.create(version=copy, number=major.number, name=major.name)
            for middle in major.middles.all():
                new_middle = MiddleCategory.objects.create(major=new_major, number=middle.number, name=middle.name)
                for requirement in middle.requirements.all():
                    new_requirement = Requirement.objects.create(
                        middle=new_middle, code=requirement.code, text=requirement.text, order=requirement.order
                    )
                    Criterion.objects.bulk_create(
                        Criterion(requirement=new_requirement, code=c.code, text=c.text)
                        for c in requirement.criteria.all()
                    )
        return copy

    def save(self, *args, **kwargs):
        if self.is_current:
            # Only one version is current: choosing this one retires the other.
            CatalogueVersion.objects.filter(is_current=True).exclude(pk=self.pk).update(is_current=False)
        super().save(*args, **kwargs)


class MajorCategory(models.Model):
    version = models.ForeignKey(CatalogueVersion, on_delete=models.CASCADE, related_name="majors", verbose_name="版")
    number = models.PositiveSmallIntegerField("番号")
    name = models.CharField("大分類", max_length=100)

    class Meta:
        verbose_name = "大分類"
        verbose_name_plural = "大分類"
        ordering = ["version", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="unique_major_number")]

    def __str__(self):
        return f"{self.version} / {self.number}. {self.name}"


class MiddleCategory(models.Model):
    major = models.ForeignKey(MajorCategory, on_delete=models.CASCADE, related_name="middles", verbose_name="大分類")
    number = models.PositiveSmallIntegerField("並び順", help_text="版の中での中分類の順番(シートの行の順)")
    name = models.CharField("中分類", max_length=100)

    class Meta:
        verbose_name = "中分類"
        verbose_name_plural = "中分類"
        ordering = ["major__version", "number"]

    def __str__(self):
        return f"{self.major.version} / {self.name}"

    @property
    def codes(self) -> str:
        """The ★3 requirement numbers of this 中分類, as the sheet prints them (uses prefetched rows)."""
        return "、".join(r.code for r in self.requirements.all())


class Requirement(models.Model):
    """One ★3 requirement; its official number is the key within a version."""

    version = models.ForeignKey(CatalogueVersion, on_delete=models.CASCADE, related_name="requirements", editable=False)
    middle = models.ForeignKey(
        MiddleCategory, on_delete=models.CASCADE, related_name="requirements", verbose_name="中分類"
    )
    code = models.CharField("要求事項 No.", max_length=20, help_text="例: 1-2-1")
    text = models.TextField("要求事項")
    order = models.PositiveSmallIntegerField("並び順", default=1)

    class Meta:
        verbose_name = "要求事項"
        verbose_name_plural = "要求事項"
        ordering = ["middle__number", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="unique_requirement_code")]

    def __str__(self):
        return f"{self.code} {self.text[:30]}"

    def clean(self):
        if self.middle_id and self.code:
            clash = Requirement.objects.filter(version=self.middle.major.version, code=self.code).exclude(pk=self.pk)
            if clash.exists():
                raise ValidationError({"code": "この版にはすでに同じ要求事項 No. があります。"})

    def save(self, *args, **kwargs):
        self.version_id = self.middle.major.version_id
        super().save(*args, **kwargs)


class Criterion(models.Model):
    """An evaluation criterion under a requirement (e.g. 1-2-1-1), optional."""

    requirement = models.ForeignKey(
        Requirement, on_delete=models.CASCADE, related_name="criteria", verbose_name="要求事項"
    )
    code = models.CharField("評価基準 No.", max_length=24, help_text="例: 1-2-1-1")
    text = models.TextField("評価基準")

    class Meta:
        verbose_name = "評価基準"
        verbose_name_plural = "評価基準"
        ordering = ["requirement", "code"]
        constraints = [models.UniqueConstraint(fields=["requirement", "code"], name="unique_criterion_code")]

    def __str__(self):
        return self.code


# Companies and assessments ----------------------------------------------


class Company(models.Model):
    name = models.CharField("企業名", max_length=200)
    industry = models.CharField("業種", max_length=30, choices=INDUSTRIES.choices, blank=True)
    employees = models.PositiveIntegerField("従業員数", null=True, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="companies", blank=True, verbose_name="利用者"
    )
    created_at = models.DateTimeField("登録日時", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "企業"
        verbose_name_plural = "企業"
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class Stage(models.TextChoices):
    INVITING = "inviting", "参加者の招待中"
    SELF_CHECK = "self_check", "① 企業の自己評価"
    EXPERT_REVIEW = "expert_review", "② 専門家の評価"
    PLANNING = "planning", "③ 改善計画の作成・合意"
    AGREED = "agreed", "改善計画 合意済み"


class Side(models.TextChoices):
    COMPANY = "company", "企業"
    EXPERT = "expert", "専門家"


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user, *, staff: bool = False):
        """What ``user`` may see: staff (with the second factor: config.access.is_staff) everything, others their own."""
        if not user.is_authenticated:
            return self.none()
        if staff:
            return self
        return self.filter(Q(company__members=user) | Q(expert__user=user)).distinct()

    def with_counts(self):
        """Annotate the sheet's totals (for lists of assessments).

        Correlated subqueries, not a join with GROUP BY: the database counts
        rows only for the assessments a page shows (staff see the newest 200
        of thousands), not for every assessment before the LIMIT.
        """

        def rows(**conditions):
            counted = (
                SheetRow.objects.filter(assessment=OuterRef("pk"), **conditions)
                .order_by()
                .values("assessment")
                .annotate(n=Count("pk"))
                .values("n")
            )
            return Coalesce(Subquery(counted), 0)

        return self.annotate(
            done_count=rows(result=SheetRow.Result.DONE),
            conform_count=rows(evaluation=SheetRow.Evaluation.CONFORM),
            improve_count=rows(evaluation=SheetRow.Evaluation.IMPROVE),
            row_count=rows(),
        )


class Assessment(models.Model):
    Stage = Stage

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="assessments", verbose_name="企業")
    catalogue = models.ForeignKey(
        CatalogueVersion, on_delete=models.PROTECT, related_name="assessments", verbose_name="要求事項の版"
    )
    expert = models.ForeignKey(
        Supporter, on_delete=models.PROTECT, null=True, blank=True, related_name="assessments", verbose_name="専門家"
    )
    responsible_title = models.CharField("作成責任者 役職", max_length=100, blank=True)
    responsible_name = models.CharField("作成責任者 氏名", max_length=100, blank=True)
    stage = models.CharField("進み具合", max_length=20, choices=Stage.choices, default=Stage.INVITING)
    started_by = models.CharField("開始した側", max_length=10, choices=Side.choices)
    # Optimistic concurrency: each side's columns carry their own version, so
    # the company and the expert can type at the same meeting without
    # refusing each other's saves.
    company_version = models.PositiveIntegerField(default=0, editable=False)
    expert_version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField("開始日時", default=timezone.now, editable=False)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = "アセスメント"
        verbose_name_plural = "アセスメント"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.company.name} {timezone.localdate(self.created_at):%Y/%m/%d}"

    def get_absolute_url(self):
        return reverse("assessments:detail", args=[self.pk])

    @property
    def responsible(self) -> str:
        return f"{self.responsible_title} {self.responsible_name}".strip()

    def side_of(self, user) -> str | None:
        """ "company", "expert" or None (staff and everyone else)."""
        if not user.is_authenticated:
            return None
        if self.expert_id and self.expert.user_id == user.pk:
            return Side.EXPERT
        if self.company.members.filter(pk=user.pk).exists():
            return Side.COMPANY
        return None

    # Where the engagement stands ------------------------------------------

    STAGE_ORDER = [Stage.INVITING, Stage.SELF_CHECK, Stage.EXPERT_REVIEW, Stage.PLANNING, Stage.AGREED]

    def stage_steps(self) -> list[tuple[str, str]]:
        """(label, "done"/"current"/"todo") for the stage indicator."""
        here = self.STAGE_ORDER.index(self.stage)
        return [
            (stage.label, "done" if i < here else "current" if i == here else "todo")
            for i, stage in enumerate(self.STAGE_ORDER)
        ]

    @property
    def is_locked(self) -> bool:
        return self.stage == Stage.AGREED

    def can_edit_sheet(self, side: str | None) -> bool:
        if side is None or self.is_locked:
            return False
        if side == Side.EXPERT:
            return self.stage in (Stage.SELF_CHECK, Stage.EXPERT_REVIEW, Stage.PLANNING)
        return True

    def _move(self, allowed_from, to):
        if self.stage not in allowed_from:
            raise TransitionRefused(f"「{self.get_stage_display()}」の段階ではこの操作はできません。")
        self.stage = to
        self.save(update_fields=["stage"])

    def join(self):
        """Both sides are now present: meeting ① and the self-check begin."""
        if not self.expert_id:
            raise TransitionRefused("専門家が決まっていません。")
        self._move([Stage.INVITING], Stage.SELF_CHECK)

    def submit_self_check(self):
        """The company has filled its columns: hand the sheet to the expert."""
        missing = self.rows.filter(result="").count()
        if missing:
            raise TransitionRefused(
                f"確認結果が未記入の中分類が{missing}件あります。すべて記入してから提出してください。"
            )
        self._move([Stage.SELF_CHECK], Stage.EXPERT_REVIEW)

    def submit_review(self):
        """The expert has evaluated every row: the plan can be written."""
        missing = self.rows.filter(evaluation="").count()
        if missing:
            raise TransitionRefused(
                f"評価結果が未記入の中分類が{missing}件あります。すべて記入してから確定してください。"
            )
        self._move([Stage.EXPERT_REVIEW], Stage.PLANNING)

    def conclude(self):
        """Both sides agreed the plan."""
        self._move([Stage.PLANNING], Stage.AGREED)

    def reopen(self):
        """A new revision of an agreed plan needs agreeing again."""
        self._move([Stage.AGREED], Stage.PLANNING)


class Meeting(models.Model):
    NUMBERS = {1: "①", 2: "②", 3: "③"}

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="meetings")
    number = models.PositiveSmallIntegerField("回")
    date = models.DateField("日付", null=True, blank=True)
    start_time = models.TimeField("開始時刻", null=True, blank=True)
    end_time = models.TimeField("終了時刻", null=True, blank=True)
    attendees = models.TextField("出席者", max_length=1000, blank=True)

    class Meta:
        verbose_name = "打合せ"
        verbose_name_plural = "打合せ"
        ordering = ["assessment", "number"]
        constraints = [models.UniqueConstraint(fields=["assessment", "number"], name="unique_meeting_number")]

    def __str__(self):
        return f"{self.mark} {self.when}"

    @property
    def mark(self) -> str:
        return self.NUMBERS.get(self.number, str(self.number))

    @property
    def when(self) -> str:
        """As the seed writes it: 2025/11/11(火) 14:00~17:00."""
        if not self.date:
            return ""
        weekday = "月火水木金土日"[self.date.weekday()]
        text = f"{self.date.year}/{self.date.month}/{self.date.day}({weekday})"
        if self.start_time:
            text += f" {self.start_time:%H:%M}~"
            if self.end_time:
                text += f"{self.end_time:%H:%M}"
        return text

    @property
    def held(self) -> bool:
        return self.date is not None and self.date <= timezone.localdate()


class InvitationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class InvitationBase(models.Model):
    """An invitation by e-mail or 登録番号: open until accepted, revoked or expired.

    A token, when there is one, is e-mailed; only its hash is kept, so the
    link in the e-mail is the sole copy of the secret.
    """

    email = models.EmailField("招待先メールアドレス", blank=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField("有効期限")
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def _new(cls, *, with_token: bool, **fields):
        token = secrets.token_urlsafe(32) if with_token else ""
        invitation = cls(
            expires_at=timezone.now() + datetime.timedelta(days=INVITATION_DAYS),
            token_hash=cls.hash_token(token) if token else "",
            **fields,
        )
        return invitation, token

    @classmethod
    def by_token(cls, token: str):
        """The invitation the e-mailed link names, or None."""
        return cls.objects.filter(token_hash=cls.hash_token(token)).first() if token else None

    def __str__(self):
        return f"{self.email or '招待'}({self.status_label})"

    @property
    def status_label(self) -> str:
        if self.accepted_at:
            return "承諾済み"
        if self.revoked_at:
            return "取り消し済み"
        if self.expires_at <= timezone.now():
            return "期限切れ"
        return "回答待ち"

    @property
    def is_open(self) -> bool:
        return self.status_label == "回答待ち"

    def revoke(self):
        if not self.is_open:
            raise TransitionRefused("この招待はすでに使えない状態です。")
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])

    def mark_accepted(self, user):
        if not self.is_open:
            raise TransitionRefused("この招待は使用済み、取り消し済み、または期限切れです。")
        self.accepted_at = timezone.now()
        self.accepted_by = user
        self.save(update_fields=["accepted_at", "accepted_by"])


class Invitation(InvitationBase):
    """An invitation to the other side: an expert by 登録番号, or a company by an e-mailed link."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="invitations")
    side = models.CharField("招待する側", max_length=10, choices=Side.choices)
    supporter = models.ForeignKey(
        Supporter, on_delete=models.CASCADE, null=True, blank=True, related_name="assessment_invitations"
    )

    class Meta(InvitationBase.Meta):
        verbose_name = "招待"
        verbose_name_plural = "招待"

    @classmethod
    def new(cls, **fields) -> tuple[Invitation, str]:
        """An unsaved invitation and its token (empty for an expert invitation)."""
        return cls._new(with_token=fields.get("side") == Side.COMPANY, **fields)

    @property
    def invitee(self) -> str:
        return str(self.supporter.name) if self.supporter_id else self.email


class CompanyInvitation(InvitationBase):
    """A colleague invited by e-mail to use the site as one of the company's users."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations", verbose_name="企業")

    class Meta(InvitationBase.Meta):
        verbose_name = "利用者の招待"
        verbose_name_plural = "利用者の招待"

    @classmethod
    def new(cls, **fields) -> tuple[CompanyInvitation, str]:
        """An unsaved invitation and the token for its link."""
        return cls._new(with_token=True, **fields)


# The sheet -------------------------------------------------------------------


class SheetRow(models.Model):
    """One 中分類 of one assessment: the company's and the expert's columns."""

    class Result(models.TextChoices):
        DONE = "done", "対応済"
        PARTIAL = "partial", "一部対応済"
        PREPARING = "preparing", "対応準備中"
        NOT_DONE = "not_done", "未対応"
        NOT_APPLICABLE = "na", "対象外"

    class Procedure(models.TextChoices):
        DOCUMENTS = "documents", "文書類"
        SYSTEM = "system", "システム機能"
        OBSERVATION = "observation", "現場観察"
        HEARING = "hearing", "ヒアリング"

    class Evaluation(models.TextChoices):
        CONFORM = "conform", "適合"
        IMPROVE = "improve", "改善要"

    # What each choice means, shown on the sheet's pages (記入欄の見方): the
    # seed names the choices but not their meaning, and the company and the
    # expert must read them alike.
    MEANINGS = {
        "result": {
            Result.DONE: "要求事項の対策を実施し、日常の運用でも守られている。根拠となる文書・記録・設定を示せる。",
            Result.PARTIAL: "対策を実施しているが、対象の一部(部署・システム・拠点など)にとどまる、"
            "または手順や記録の一部が欠けている。",
            Result.PREPARING: "まだ実施していないが、実施に向けた準備(手順書の作成、製品の手配など)を始めていて、"
            "完了の見込み時期がある。",
            Result.NOT_DONE: "対策を実施しておらず、準備も始めていない。",
            Result.NOT_APPLICABLE: "自社にはこの要求事項の対象がない(例: 該当するシステムを使っていない)。"
            "理由をコメント欄に書く。",
        },
        "procedures": {
            Procedure.DOCUMENTS: "規程・手順書・記録・契約書などの文書を読んで確かめた。",
            Procedure.SYSTEM: "システムの設定、管理画面、ログなどを見て、機能が働いていることを確かめた。",
            Procedure.OBSERVATION: "事務所やサーバ室などの現場で、運用の様子を実際に見て確かめた。",
            Procedure.HEARING: "担当者や経営者に質問し、取り組みの内容を聞き取った。",
        },
        "evaluation": {
            Evaluation.CONFORM: "確かめた範囲で、要求事項を満たしている。",
            Evaluation.IMPROVE: "要求事項を満たしていない、または改善が必要。改善計画書の「3. 改善計画案」の下書きに載る。",
        },
    }

    COMPANY_FIELDS = ["result", "company_comment"]
    EXPERT_FIELDS = ["procedures", "evaluation", "expert_comment"]

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="rows")
    middle = models.ForeignKey(MiddleCategory, on_delete=models.PROTECT, related_name="+", verbose_name="中分類")
    result = models.CharField("確認結果", max_length=12, choices=Result.choices, blank=True)
    company_comment = models.TextField("結果に関するコメント", max_length=2000, blank=True)
    procedures = models.JSONField("評価手続き", default=list, blank=True)
    evaluation = models.CharField("評価結果", max_length=10, choices=Evaluation.choices, blank=True)
    expert_comment = models.TextField("専門家コメント", max_length=2000, blank=True)

    class Meta:
        verbose_name = "シートの行"
        verbose_name_plural = "シートの行"
        ordering = ["assessment", "middle__number"]
        constraints = [models.UniqueConstraint(fields=["assessment", "middle"], name="unique_sheet_row")]

    def __str__(self):
        return self.middle.name

    @classmethod
    def glossary(cls) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """(column, who fills it, [(choice, meaning)]) for every column with choices."""
        columns = [
            ("確認結果", "企業が記入", "result", cls.Result),
            ("評価手続き", "専門家が、実施したものに○", "procedures", cls.Procedure),
            ("評価結果", "専門家が記入", "evaluation", cls.Evaluation),
        ]
        return [
            (title, who, [(choice.label, cls.MEANINGS[name][choice]) for choice in choices])
            for title, who, name, choices in columns
        ]

    def has_procedure(self, slug: str) -> bool:
        return slug in (self.procedures or [])

    @property
    def procedure_labels(self) -> list[str]:
        return [p.label for p in self.Procedure if p.value in (self.procedures or [])]

    def snapshot(self, side: str) -> dict:
        fields = self.COMPANY_FIELDS if side == Side.COMPANY else self.EXPERT_FIELDS
        return {name: getattr(self, name) for name in fields}


class SheetRevision(models.Model):
    """One side's columns as saved: every save keeps the earlier ones."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="sheet_revisions")
    side = models.CharField(max_length=10, choices=Side.choices)
    version = models.PositiveIntegerField("版")
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    saved_at = models.DateTimeField(default=timezone.now)
    # {middle_id: {field: value}}
    data = models.JSONField(default=dict)

    class Meta:
        verbose_name = "シートの保存履歴"
        verbose_name_plural = "シートの保存履歴"
        ordering = ["assessment", "-saved_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["assessment", "side", "version"], name="unique_sheet_revision")]

    def __str__(self):
        return f"{self.get_side_display()}の欄 第{self.version}版"

    @property
    def saved_by_name(self) -> str:
        return display_name(self.saved_by)


# The improvement plan --------------------------------------------------------


class ImprovementPlan(models.Model):
    """One revision of the 改善計画書; agreed revisions are never edited."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="plans")
    revision = models.PositiveIntegerField("改訂", default=1)
    created_on = models.DateField("作成日", default=datetime.date.today)
    evaluation_summary = models.TextField("評価結果", max_length=4000, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)
    company_agreed_at = models.DateTimeField(null=True, blank=True)
    company_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expert_agreed_at = models.DateTimeField(null=True, blank=True)
    expert_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "改善計画書"
        verbose_name_plural = "改善計画書"
        ordering = ["assessment", "-revision"]
        constraints = [models.UniqueConstraint(fields=["assessment", "revision"], name="unique_plan_revision")]

    def __str__(self):
        return f"{self.assessment} 改善計画書 第{self.revision}版"

    @property
    def is_locked(self) -> bool:
        return bool(self.company_agreed_at and self.expert_agreed_at)

    @property
    def agreed_on(self) -> datetime.date | None:
        """合意日: the day the second side agreed (None until both have)."""
        if not self.is_locked:
            return None
        return timezone.localdate(max(self.company_agreed_at, self.expert_agreed_at))

    def agreed_by_side(self, side: str) -> bool:
        return bool(self.company_agreed_at if side == Side.COMPANY else self.expert_agreed_at)

    def agreement_blocker(self, third_meeting: Meeting | None) -> str:
        """Why the plan cannot be agreed today ("" when it can): the rule shown
        before the button and enforced when it is pressed.

        The plan is agreed at or after meeting ③, where both sides go through
        it together (seed §4): so ③ must be on record with a date of today or
        earlier. A ③ dated in the future is a plan for a meeting that has not
        happened yet, and agreement waits for that day.
        """
        if self.is_locked:
            return "この改善計画書はすでに合意済みです。"
        if self.assessment.stage != Stage.PLANNING:
            return "専門家の評価が確定してから合意できます。"
        if third_meeting is None or third_meeting.date is None:
            return "第3回の打合せ(③)の日付が記録されていません。打合せの記録に③の日付を入力すると、その日から合意できます。"
        if not third_meeting.held:
            return f"第3回の打合せ(③)は {third_meeting.when} の予定です。合意はその日から行えます。"
        return ""

    def agree(self, side: str, user, *, third_meeting: Meeting | None):
        """One side marks the plan agreed (合意); both make it final."""
        blocker = self.agreement_blocker(third_meeting)
        if blocker:
            raise TransitionRefused(blocker)
        now = timezone.now()
        if side == Side.COMPANY:
            self.company_agreed_at, self.company_agreed_by = now, user
        else:
            self.expert_agreed_at, self.expert_agreed_by = now, user
        self.save(update_fields=[f"{side}_agreed_at", f"{side}_agreed_by"])

    def clear_agreement(self):
        """Content changed: an earlier agreement no longer covers it."""
        self.company_agreed_at = self.company_agreed_by = None
        self.expert_agreed_at = self.expert_agreed_by = None

    def content(self) -> dict:
        """The text both sides agree to, as plain values (kept per version in PlanVersion)."""
        return {
            "created_on": self.created_on.isoformat() if self.created_on else "",
            "evaluation_summary": self.evaluation_summary,
            "items": [[item.number, item.content, item.timing] for item in self.items.all()],
        }

    def record_version(self, user=None) -> PlanVersion:
        """Keep the text of the current version, so that an agreement can name what it covered."""
        return PlanVersion.objects.create(plan=self, version=self.version, data=self.content(), saved_by=user)


class PlanVersion(models.Model):
    """The plan's text at one version: what a side saw when it pressed 「合意する」."""

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField("保存の回")
    data = models.JSONField(default=dict)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "改善計画書の保存履歴"
        verbose_name_plural = "改善計画書の保存履歴"
        ordering = ["plan", "-version"]
        constraints = [models.UniqueConstraint(fields=["plan", "version"], name="unique_plan_version")]

    def __str__(self):
        return f"{self.plan} 保存{self.version}回目"

    @property
    def saved_by_name(self) -> str:
        return display_name(self.saved_by)


@dataclass(frozen=True)
class PlanChange:
    part: str
    before: str
    after: str


def plan_changes(before: dict, after: dict) -> list[PlanChange]:
    """What differs between two texts of a plan (``ImprovementPlan.content()``), part by part."""

    def day(value: str) -> str:
        if not value:
            return "(未記入)"
        d = datetime.date.fromisoformat(value)
        return f"{d.year}年{d.month}月{d.day}日"

    def item(row) -> str:
        if row is None:
            return "(この項目はありません)"
        _, content, timing = row
        return f"内容: {content}\n実施時期: {timing or '—'}"

    changes = []
    if before.get("created_on") != after.get("created_on"):
        changes.append(PlanChange("作成日", day(before.get("created_on")), day(after.get("created_on"))))
    if before.get("evaluation_summary") != after.get("evaluation_summary"):
        changes.append(
            PlanChange(
                "2. 評価結果",
                before.get("evaluation_summary") or "(未記入)",
                after.get("evaluation_summary") or "(未記入)",
            )
        )
    old, new = before.get("items", []), after.get("items", [])
    for n in range(max(len(old), len(new))):
        was = old[n] if n < len(old) else None
        now = new[n] if n < len(new) else None
        if (was and was[1:]) != (now and now[1:]):
            changes.append(PlanChange(f"3. 改善計画案 項目{n + 1}", item(was), item(now)))
    return changes


class PlanItem(models.Model):
    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField("番号")
    content = models.TextField("内容", max_length=2000)
    timing = models.TextField("実施時期", max_length=500, blank=True)

    class Meta:
        verbose_name = "改善計画の項目"
        verbose_name_plural = "改善計画の項目"
        ordering = ["plan", "number", "pk"]

    def __str__(self):
        return f"{self.number}. {self.content[:30]}"
