"""Support organisations, their consultation cases, shortlists and referrals.

A case belongs to one organisation and holds the company's details; those
details never leave the organisation except to an expert who has accepted a
referral. Referral outcomes move through ``Referral.move`` only, which
refuses illegal moves and records every move as a ``ReferralEvent``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from config.transitions import TransitionRefused
from supporters.fields import TermSetField
from supporters.models import Supporter
from supporters.taxonomy import FEES, FORMS, INDUSTRIES, PERIODS, PREFECTURES, REGIONS, THEMES


class Organisation(models.Model):
    """A support organisation (支援機関) whose members refer experts."""

    class Kind(models.TextChoices):
        CHAMBER = "chamber", "商工会議所・商工会"
        SECUNITY = "secunity", "地域SECUNITY"
        BANK = "bank", "金融機関"
        PROFESSIONAL = "professional", "士業団体"
        MUNICIPALITY = "municipality", "自治体"
        IT_VENDOR = "it-vendor", "ITベンダー団体"
        OTHER = "other", "その他"

    name = models.CharField("名称", max_length=200, unique=True)
    kind = models.CharField("種別", max_length=20, choices=Kind.choices)
    region = models.CharField("地域", max_length=20, choices=REGIONS.choices)
    contact_name = models.CharField("窓口(部署・担当者)", max_length=200, blank=True)
    contact_email = models.EmailField("窓口メールアドレス", blank=True)
    contact_phone = models.CharField("窓口電話番号", max_length=30, blank=True)
    address = models.CharField("所在地", max_length=300, blank=True)

    class Meta:
        verbose_name = "支援機関"
        verbose_name_plural = "支援機関"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A user's place in one organisation (a user belongs to at most one)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="アカウント",
        on_delete=models.CASCADE,
        related_name="referral_membership",
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name="支援機関", on_delete=models.CASCADE, related_name="memberships"
    )

    class Meta:
        verbose_name = "支援機関の職員"
        verbose_name_plural = "支援機関の職員"

    def __str__(self):
        return f"{self.organisation} / {self.user}"


class CaseQuerySet(models.QuerySet):
    def for_member(self, user):
        """Cases of the organisation ``user`` belongs to (none for others)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(organisation__memberships__user=user)

    def with_counts(self):
        return self.annotate(
            shortlist_count=Count("shortlist", distinct=True),
            referral_count=Count("referrals", distinct=True),
            active_count=Count("referrals", filter=Q(referrals__status__in=Referral.ACTIVE), distinct=True),
        )


class Case(models.Model):
    """A consultation case (相談案件) a member opened for a company."""

    class Status(models.TextChoices):
        OPEN = "open", "候補選定中"
        REFERRED = "referred", "紹介中"
        CLOSED = "closed", "終了"

    organisation = models.ForeignKey(
        Organisation, verbose_name="支援機関", on_delete=models.CASCADE, related_name="cases"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登録者", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField("状況", max_length=10, choices=Status.choices, default=Status.OPEN)

    company_name = models.CharField("企業名", max_length=200)
    contact_name = models.CharField("ご担当者", max_length=100, blank=True)
    contact_email = models.EmailField("連絡先メールアドレス", blank=True)
    contact_phone = models.CharField("連絡先電話番号", max_length=30, blank=True)
    prefecture = models.CharField("所在地(都道府県)", max_length=12, choices=PREFECTURES.choices)
    industry = models.CharField("業種", max_length=30, choices=INDUSTRIES.choices)
    employees = models.PositiveIntegerField(
        "従業員数", null=True, blank=True, validators=[MaxValueValidator(1_000_000)]
    )
    themes = TermSetField("相談したい指導テーマ", taxonomy=THEMES, blank=True)
    forms = TermSetField("希望する支援の形態", taxonomy=FORMS, blank=True)
    periods = TermSetField("希望する支援期間", taxonomy=PERIODS, blank=True)
    budget = models.CharField("予算(1回/2時間あたり)", max_length=12, choices=FEES.choices, blank=True)
    notes = models.TextField("メモ(機関内のみ)", max_length=2000, blank=True)

    created_at = models.DateTimeField("受付日時", default=timezone.now)
    modified_at = models.DateTimeField("更新日時", auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "相談案件"
        verbose_name_plural = "相談案件"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.company_name}({self.organisation})"

    def get_absolute_url(self):
        return reverse("referrals:case-detail", args=[self.pk])

    @property
    def region(self) -> str:
        prefecture = PREFECTURES.get(self.prefecture)
        return prefecture.region if prefecture else ""

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def mark_referred(self) -> None:
        if self.is_closed:
            raise TransitionRefused("終了した案件からは紹介できません。")
        if self.status != self.Status.REFERRED:
            self.status = self.Status.REFERRED
            self.save(update_fields=["status", "modified_at"])

    def close(self) -> None:
        if self.is_closed:
            raise TransitionRefused("この案件はすでに終了しています。")
        self.status = self.Status.CLOSED
        self.save(update_fields=["status", "modified_at"])

    def reopen(self) -> None:
        if not self.is_closed:
            raise TransitionRefused("この案件は終了していません。")
        self.status = self.Status.REFERRED if self.referrals.exists() else self.Status.OPEN
        self.save(update_fields=["status", "modified_at"])

    @transaction.atomic
    def add_candidate(self, supporter: Supporter) -> ShortlistEntry:
        """Put ``supporter`` at the end of the shortlist (once: a double submit gets the same entry)."""
        # Shortlist changes of one case take turns (the case row is the lock).
        Case.objects.select_for_update().filter(pk=self.pk).exists()
        entry = self.shortlist.filter(supporter=supporter).first()
        if entry:
            return entry
        last = self.shortlist.aggregate(m=models.Max("position"))["m"] or 0
        try:
            with transaction.atomic():
                return self.shortlist.create(supporter=supporter, position=last + 1)
        except IntegrityError:  # the other submit added it first (SQLite takes no row locks)
            return self.shortlist.get(supporter=supporter)

    @transaction.atomic
    def move_candidate(self, entry: ShortlistEntry, *, up: bool) -> None:
        """Swap ``entry`` with its neighbour above (``up``) or below."""
        entries = list(self.shortlist.select_for_update().order_by("position", "pk"))
        index = next(i for i, e in enumerate(entries) if e.pk == entry.pk)
        other = index - 1 if up else index + 1
        if 0 <= other < len(entries):
            entries[index], entries[other] = entries[other], entries[index]
            self._renumber(entries)

    @transaction.atomic
    def remove_candidate(self, entry: ShortlistEntry) -> None:
        entry.delete()
        self._renumber(list(self.shortlist.select_for_update().order_by("position", "pk")))

    def _renumber(self, entries: list[ShortlistEntry]) -> None:
        for number, entry in enumerate(entries, start=1):
            entry.position = number
        ShortlistEntry.objects.bulk_update(entries, ["position"])

    def directory_filters(self) -> dict[str, list[str]]:
        """The public list's filter parameters that match this case's needs."""
        params = {
            "region": [self.region] if self.region else [],
            "industry": [self.industry] if self.industry else [],
            "theme": self.themes.ordered(),
            "form": self.forms.ordered(),
            "period": self.periods.ordered(),
            "fee": fee_bands_within(self.budget),
        }
        return {name: values for name, values in params.items() if values}


def fee_bands_within(budget: str) -> list[str]:
    """Fee bands an expert may charge within ``budget``, 応相談 included.

    The bands are ordered by amount up to 40,000円以上; 応相談 (or no budget)
    means no limit.
    """
    priced = [slug for slug in FEES.slugs if slug != "negotiable"]
    if budget not in priced:
        return []
    return [*priced[: priced.index(budget) + 1], "negotiable"]


@dataclass(frozen=True)
class Delivery:
    """How a referral reaches an expert: shown beside each candidate before any click."""

    can_send: bool
    how: str
    # A few words for the shortlist's table.
    short: str = ""
    # Whether it goes by e-mail with a signed link (the expert has no account).
    by_mail: bool = False


def delivery(supporter: Supporter) -> Delivery:
    """How a referral would reach ``supporter`` today (``supporter.user`` loaded).

    An expert with an account gets it in their 「紹介された相談」 page and their
    account's mail. An entry without an account gets it by e-mail at the
    entry's own address, with a signed link to accept or decline (and one to
    claim the entry); either way the company's details show only after
    acceptance (docs/decisions/0710). An entry with no address at all cannot
    be reached through the site.
    """
    if supporter.status != supporter.Status.PUBLISHED:
        return Delivery(False, "掲載が終了しているため、サイトからは紹介できません。", "掲載終了のため送れません")
    if supporter.user_id:
        return Delivery(True, "サイトの「紹介された相談」とメールで届きます。", "サイトとメールで届きます")
    if supporter.entry_address:
        return Delivery(
            True,
            "この専門家はサイトのアカウントをお持ちでないため、登録の連絡先メールアドレス(非公開)にメールで届きます。"
            "専門家はメールのリンクから受諾・辞退を回答します。",
            "メールで届きます(アカウントなし)",
            by_mail=True,
        )
    return Delivery(
        False,
        "この専門家はサイトのアカウントも連絡先のメールアドレスもお持ちでないため、サイトからは届きません。"
        "紹介票で連絡方法をお伝えください。",
        "サイトからは届きません(連絡先なし)。紹介票でお伝えください",
    )


class ShortlistEntry(models.Model):
    """An expert on a case's shortlist; position 1 is 第1希望."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shortlist")
    supporter = models.ForeignKey(Supporter, verbose_name="専門家", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField("希望順位")
    reason = models.CharField(
        "選定理由(紹介票に載ります)",
        max_length=300,
        blank=True,
        help_text="企業が第1希望・第2希望を選ぶ手がかりになるよう、候補にした理由を書きます。",
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "候補"
        verbose_name_plural = "候補"
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "supporter"], name="shortlist_unique_supporter"),
        ]

    def __str__(self):
        return f"第{self.position}希望 {self.supporter}"


class ReferralQuerySet(models.QuerySet):
    def for_expert(self, user):
        """Referrals addressed to any of ``user``'s supporter entries."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(supporter__user=user)

    @transaction.atomic
    def start(self, *, case: Case, supporter: Supporter, actor, at: datetime.datetime | None = None) -> Referral:
        """A new referral at 紹介済 with its first event; the case is then 紹介中."""
        at = at or timezone.now()
        referral = self.create(case=case, supporter=supporter, referred_by=actor, referred_at=at)
        ReferralEvent.objects.create(
            referral=referral,
            actor=actor,
            role=ORGANISATION,
            to_status=ReferralStatus.REFERRED,
            on=timezone.localdate(at),
            at=at,
        )
        case.mark_referred()
        return referral

    def track_record(self, organisation: Organisation, supporter_ids) -> dict[int, dict[str, int]]:
        """How the organisation's own referrals to each expert went, so a
        referrer can prefer experts it has seen help (seed 004)."""
        rows = (
            self.filter(case__organisation=organisation, supporter_id__in=list(supporter_ids))
            .order_by()
            .values("supporter_id")
            .annotate(
                total=Count("pk"),
                started=Count("pk", filter=Q(status__in=[ReferralStatus.STARTED, ReferralStatus.COMPLETED])),
            )
        )
        return {row["supporter_id"]: {"total": row["total"], "started": row["started"]} for row in rows}

    def status_counts(self) -> list[tuple[str, str, int]]:
        """(status, label, count) for every status, in workflow order."""
        counts = dict(self.order_by().values_list("status").annotate(n=Count("pk")))
        return [(value, label, counts.get(value, 0)) for value, label in ReferralStatus.choices]


class ReferralStatus(models.TextChoices):
    REFERRED = "referred", "紹介済"
    ACCEPTED = "accepted", "受諾"
    DECLINED = "declined", "辞退"
    MET = "met", "面談済"
    STARTED = "started", "支援開始"
    COMPLETED = "completed", "完了"
    FAILED = "failed", "不成立"


ORGANISATION = "organisation"
EXPERT = "expert"

# (from, to) → who may make the move. The expert alone answers a referral;
# after that either side records how it went.
MOVES: dict[tuple[str, str], frozenset[str]] = {
    (ReferralStatus.REFERRED, ReferralStatus.ACCEPTED): frozenset({EXPERT}),
    (ReferralStatus.REFERRED, ReferralStatus.DECLINED): frozenset({EXPERT}),
    (ReferralStatus.REFERRED, ReferralStatus.FAILED): frozenset({ORGANISATION}),
    (ReferralStatus.ACCEPTED, ReferralStatus.MET): frozenset({ORGANISATION, EXPERT}),
    (ReferralStatus.ACCEPTED, ReferralStatus.FAILED): frozenset({ORGANISATION, EXPERT}),
    (ReferralStatus.MET, ReferralStatus.STARTED): frozenset({ORGANISATION, EXPERT}),
    (ReferralStatus.MET, ReferralStatus.FAILED): frozenset({ORGANISATION, EXPERT}),
    (ReferralStatus.STARTED, ReferralStatus.COMPLETED): frozenset({ORGANISATION, EXPERT}),
    (ReferralStatus.STARTED, ReferralStatus.FAILED): frozenset({ORGANISATION, EXPERT}),
}

# What the organisation does next, for each state of a referral (the case list and the case page).
NEXT_STEPS = {
    ReferralStatus.REFERRED: "専門家の回答を待っています。",
    ReferralStatus.ACCEPTED: "専門家が受諾しました。面談の日程を調整し、面談が済んだら「面談済」を記録します。",
    ReferralStatus.DECLINED: "専門家が辞退しました。ほかの候補に紹介できます。",
    ReferralStatus.MET: "支援が始まったら「支援開始」を記録します。",
    ReferralStatus.STARTED: "支援が終わったら「完了」を記録します。",
    ReferralStatus.COMPLETED: "支援が完了しました。ほかに進行中の紹介がなければ、案件を終了にできます。",
    ReferralStatus.FAILED: "不成立になりました。ほかの候補に紹介できます。",
}

# What the button says for each target state.
MOVE_LABELS = {
    ReferralStatus.ACCEPTED: "受諾する",
    ReferralStatus.DECLINED: "辞退する",
    ReferralStatus.MET: "面談済にする",
    ReferralStatus.STARTED: "支援開始にする",
    ReferralStatus.COMPLETED: "完了にする",
    ReferralStatus.FAILED: "不成立にする",
}


class Referral(models.Model):
    """A case referred to one expert through the site."""

    Status = ReferralStatus
    ACTIVE = (ReferralStatus.REFERRED, ReferralStatus.ACCEPTED, ReferralStatus.MET, ReferralStatus.STARTED)
    REASON_REQUIRED = (ReferralStatus.FAILED,)

    case = models.ForeignKey(Case, verbose_name="相談案件", on_delete=models.CASCADE, related_name="referrals")
    supporter = models.ForeignKey(Supporter, verbose_name="専門家", on_delete=models.PROTECT, related_name="referrals")
    status = models.CharField("状況", max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.REFERRED)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="紹介者", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    referred_at = models.DateTimeField("紹介日時", default=timezone.now)
    accepted_at = models.DateTimeField("受諾日時", null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = "紹介"
        verbose_name_plural = "紹介"
        ordering = ["-referred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "supporter"], name="referral_unique_supporter"),
        ]

    def __str__(self):
        return f"{self.case.company_name} → {self.supporter}"

    @property
    def company_visible(self) -> bool:
        """Whether the expert may see the company's details: from acceptance
        on, even if the referral later fails (they have met the company)."""
        return self.accepted_at is not None

    @property
    def next_step(self) -> str:
        return NEXT_STEPS[self.status]

    def allowed_moves(self, role: str) -> list[str]:
        return [to for (frm, to), roles in MOVES.items() if frm == self.status and role in roles]

    def move(self, to: str, *, actor, role: str, reason: str = "", on: datetime.date | None = None):
        """Move to state ``to`` as ``role``; returns the recorded event."""
        if to not in self.allowed_moves(role):
            target = dict(ReferralStatus.choices).get(to, to)
            raise TransitionRefused(f"「{self.get_status_display()}」から「{target}」には変更できません。")
        reason = (reason or "").strip()
        if to in self.REASON_REQUIRED and not reason:
            raise TransitionRefused("不成立の理由を入力してください。")
        now = timezone.now()
        event = ReferralEvent(
            referral=self,
            actor=actor,
            role=role,
            from_status=self.status,
            to_status=to,
            reason=reason,
            on=on or timezone.localdate(now),
            at=now,
        )
        self.status = to
        fields = ["status"]
        if to == ReferralStatus.ACCEPTED:
            self.accepted_at = now
            fields.append("accepted_at")
        self.save(update_fields=fields)
        event.save()
        return event


class ReferralEvent(models.Model):
    """One step in a referral's history: who moved it, when, from/to, why."""

    ROLES = [(ORGANISATION, "支援機関"), (EXPERT, "専門家")]

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作者", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField("立場", max_length=12, choices=ROLES)
    from_status = models.CharField("変更前", max_length=12, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField("変更後", max_length=12, choices=ReferralStatus.choices)
    reason = models.CharField("理由", max_length=500, blank=True)
    on = models.DateField("日付")
    at = models.DateTimeField("記録日時", default=timezone.now)

    class Meta:
        verbose_name = "紹介の経過"
        verbose_name_plural = "紹介の経過"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_from_status_display() or '—'} → {self.get_to_status_display()}"
