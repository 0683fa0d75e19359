from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, RegexValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from config import dates
from config.navigation import url_of
from config.transitions import TransitionRefused

from . import search
from .fields import TermSetField
from .taxonomy import (
    AFFILIATIONS,
    EXPERIENCE,
    FEES,
    FORMS,
    INDUSTRIES,
    NATIONWIDE_LABEL,
    PERIODS,
    PREFECTURES,
    REGIONS,
    THEMES,
    place_named,
    prefectures_of,
)
from .validation import kana_validator

# An entry not updated for longer than this carries the 情報更新から1年以上 mark.
STALE_AFTER = datetime.timedelta(days=365)


def stale_cutoff(today: datetime.date | None = None) -> datetime.date:
    """The oldest 最終更新日 that is still fresh."""
    return (today or dates.today()) - STALE_AFTER


def serving_regions_q(region_slugs) -> Q:
    """Entries that support any of the regions: 全国, the region itself, or any prefecture inside it."""
    prefecture_slugs = [p.slug for r in region_slugs for p in prefectures_of(r)]
    return Q(nationwide=True) | Q(regions__has_any=list(region_slugs)) | Q(prefectures__has_any=prefecture_slugs)


def serving_prefectures_q(prefecture_slugs) -> Q:
    """Entries that support any of the prefectures: 全国, the whole region it is in, or the prefecture."""
    region_slugs = sorted({PREFECTURES.get(slug).region for slug in prefecture_slugs})
    return Q(nationwide=True) | Q(regions__has_any=region_slugs) | Q(prefectures__has_any=list(prefecture_slugs))


def fresh_q(today: datetime.date | None = None) -> Q:
    """Entries updated within the last year (no 情報更新から1年以上 mark)."""
    return Q(updated_on__gte=stale_cutoff(today))


def search_q(query: str) -> Q:
    """Every word of ``query`` must match (docs/decisions/0003, 0820).

    A word that names a place (京都, 京都府, 近畿, 関西) means that place:
    experts who support it, as the prefecture and region filters find them,
    or whose name contains the word (千葉 is also a family name); so 京都
    never matches 東京都. A number also finds the 登録番号 it stands for.
    Any other word must occur in the entry's public text.
    """
    condition = Q()
    for word, token in search.query_words(query):
        place = place_named(word)
        if place is not None:
            serving = serving_prefectures_q if place.kind == "prefecture" else serving_regions_q
            condition &= serving([place.slug]) | Q(name__contains=word)
        elif token.isdigit() and len(token) <= 6:
            condition &= Q(registration_no=token.zfill(6)) | Q(search_text__contains=token)
        else:
            condition &= Q(search_text__contains=token)
    return condition


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused("理由を入力してください。")
    return reason


registration_no_validator = RegexValidator(
    r"^\d{6}\Z", "登録番号は6桁の数字で入力してください。", code="registration_no"
)
# The entry's validators live on its fields, so the form, the admin and the
# import check a value the same way (supporters/validation.py).
url_validator = URLValidator(
    schemes=["http", "https"], message="参考URLは http:// または https:// で始まるURLを入力してください。"
)


class SupporterStatus(models.TextChoices):
    DRAFT = "draft", "下書き"
    PENDING = "pending", "審査待ち"
    RETURNED = "returned", "差戻し"
    PUBLISHED = "published", "掲載中"
    REJECTED = "rejected", "却下"
    ENDED = "ended", "掲載終了"
    EXPIRED = "expired", "期限切れ"


# Entries that still hold their registration number: a rejected or ended
# entry frees it for a new application.
LIVE_STATUSES = (
    SupporterStatus.DRAFT,
    SupporterStatus.PENDING,
    SupporterStatus.RETURNED,
    SupporterStatus.PUBLISHED,
    SupporterStatus.EXPIRED,
)


def _touched(objs, fields) -> tuple[list, list[str]]:
    """The objects with modified_at set to now, and the fields with it."""
    now = timezone.now()
    objs = list(objs)
    for obj in objs:
        obj.modified_at = now
    return objs, [*dict.fromkeys([*fields, "modified_at"])]


class SupporterQuerySet(models.QuerySet):
    # Bulk writes send no signals; they invalidate the cached pages here, and
    # set modified_at as save() does: it is the entry's version, which keys
    # its rendered row on the list (supporters/index.py, entry_fragments).
    def update(self, **kwargs):
        from .cache import bump_version

        kwargs.setdefault("modified_at", timezone.now())
        rows = super().update(**kwargs)
        bump_version()
        return rows

    def bulk_create(self, *args, **kwargs):
        from .cache import bump_version

        created = super().bulk_create(*args, **kwargs)
        bump_version()
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        from .cache import bump_version

        objs, fields = _touched(objs, fields)
        rows = super().bulk_update(objs, fields, *args, **kwargs)
        bump_version()
        return rows

    def update_each(self, objs, fields: list[str]) -> None:
        """Write ``fields`` of every object with one prepared UPDATE run for all rows.

        Django's bulk_update builds a CASE expression per field over the whole
        batch, which takes minutes for tens of thousands of rows (the import
        benchmark); executemany of one parameterised statement takes seconds.
        """
        from django.db import connections

        from .cache import bump_version

        objs, fields = _touched(objs, fields)
        connection = connections[self.db]
        quote = connection.ops.quote_name
        model_fields = [self.model._meta.get_field(name) for name in fields]
        sql = "UPDATE {} SET {} WHERE {} = %s".format(
            quote(self.model._meta.db_table),
            ", ".join(f"{quote(f.column)} = %s" for f in model_fields),
            quote(self.model._meta.pk.column),
        )
        params = [
            [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in model_fields] + [obj.pk] for obj in objs
        ]
        if params:
            with connection.cursor() as cursor:
                cursor.executemany(sql, params)
            bump_version()

    def published(self):
        return self.filter(status=SupporterStatus.PUBLISHED)

    def live(self):
        return self.filter(status__in=LIVE_STATUSES)

    def serving_regions(self, region_slugs):
        return self.filter(serving_regions_q(region_slugs))


class Supporter(models.Model):
    """One expert's entry in the list (the published 個票)."""

    Status = SupporterStatus
    LIVE_STATUSES = LIVE_STATUSES

    # Personal fields an expert may keep off the public pages (氏名 is always
    # published). The keys are field names, or "residence" for 居住地.
    HIDEABLE_FIELDS = {
        "name_kana": "氏名(カナ)",
        "email": "公開用メールアドレス",
        "residence": "居住地",
        "organization": "所属組織",
        "qualifications": "他の資格",
        "groups": "所属・関係する団体",
        "self_pr": "自己PR",
        "url": "参考URL",
    }

    class SupportExperience(models.TextChoices):
        YES = "yes", "経験あり"
        NO = "no", "経験なし"

    registration_no = models.CharField("登録番号", max_length=6, validators=[registration_no_validator])
    status = models.CharField("掲載状況", max_length=12, choices=SupporterStatus.choices, default=SupporterStatus.DRAFT)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="アカウント",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supporter_entries",
    )

    # ■基本情報
    name = models.CharField("氏名", max_length=100)
    name_kana = models.CharField("氏名(カナ)", max_length=100, blank=True, validators=[kana_validator])
    email = models.EmailField("公開用メールアドレス", blank=True)
    # Never published, in no public page or download: where the contact relay
    # forwards messages when the entry has no account, and the address an
    # imported expert claims the entry with.
    contact_email = models.EmailField(
        "連絡用メールアドレス(非公開)",
        blank=True,
        help_text="公開されません。お問い合わせの転送先(アカウントのない登録)と、本人確認に使います。",
    )
    residence_prefecture = models.CharField("居住地(都道府県)", max_length=12, choices=PREFECTURES.choices, blank=True)
    residence_city = models.CharField("居住地(市区町村)", max_length=100, blank=True)
    affiliation = models.CharField("所属状況", max_length=20, choices=AFFILIATIONS.choices, blank=True)
    organization = models.CharField("所属組織", max_length=200, blank=True)
    qualifications = models.CharField("他の資格", max_length=500, blank=True)
    groups = models.CharField("所属・関係する団体", max_length=500, blank=True)
    self_pr = models.TextField("自己PR", max_length=2000, blank=True, validators=[MaxLengthValidator(2000)])
    url = models.URLField("参考URL", max_length=500, blank=True, validators=[url_validator])

    # ■支援実績
    experience = models.CharField("セキュリティ実務経験", max_length=10, choices=EXPERIENCE.choices, blank=True)
    support_experience = models.CharField("企業支援経験", max_length=3, choices=SupportExperience.choices, blank=True)
    support_cases = models.PositiveIntegerField(
        "企業支援実績(件数)", null=True, blank=True, validators=[MaxValueValidator(99_999)]
    )
    support_years = models.PositiveIntegerField(
        "企業支援実績(年数)", null=True, blank=True, validators=[MaxValueValidator(80)]
    )
    support_description = models.TextField(
        "企業支援内容", max_length=2000, blank=True, validators=[MaxLengthValidator(2000)]
    )

    # 支援条件
    nationwide = models.BooleanField("全国対応", default=False)
    regions = TermSetField("支援対象地域(地域)", taxonomy=REGIONS, blank=True)
    prefectures = TermSetField("支援対象地域(都道府県)", taxonomy=PREFECTURES, blank=True)
    industries = TermSetField("得意とする業界", taxonomy=INDUSTRIES, blank=True)
    themes = TermSetField("支援可能な指導テーマ", taxonomy=THEMES, blank=True)
    periods = TermSetField("支援期間", taxonomy=PERIODS, blank=True)
    fee = models.CharField("支援料金(1回/2時間あたり)", max_length=12, choices=FEES.choices, blank=True)
    first_free = models.BooleanField("初回指導割引(初回相談無料)", default=False)
    forms = TermSetField("支援可能な形態", taxonomy=FORMS, blank=True)

    valid_until = models.DateField("登録有効期限", null=True, blank=True)
    updated_on = models.DateField("最終更新日", default=datetime.date.today)
    hidden_fields = models.JSONField("非公開にする項目", default=list, blank=True)

    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField("作成日時", default=timezone.now, editable=False)
    modified_at = models.DateTimeField("更新日時", auto_now=True)

    objects = SupporterQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_text", "modified_at"])

    class Meta:
        verbose_name = "支援者"
        verbose_name_plural = "支援者"
        ordering = ["registration_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration_no"],
                condition=Q(status__in=LIVE_STATUSES),
                name="unique_live_registration_no",
                violation_error_message="この登録番号はすでに登録されています。",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "registration_no"], name="supporter_status_regno"),
            models.Index(fields=["status", "updated_on"], name="supporter_status_updated"),
            models.Index(fields=["status", "support_cases"], name="supporter_status_cases"),
        ]

    def __str__(self):
        return f"{self.registration_no} {self.name}"

    def get_absolute_url(self):
        # Reversed once per process: a list page links each entry twice (row and
        # card), and reverse() was a third of the time of drawing them.
        return url_of("supporters:detail", self.registration_no)

    def save(self, *args, **kwargs):
        self.refresh_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    # Publication of personal fields -------------------------------------

    def is_public(self, field: str) -> bool:
        return field not in (self.hidden_fields or [])

    def public(self, field: str):
        """The value of ``field`` as the public may see it ("" if hidden)."""
        if not self.is_public(field):
            return ""
        if field == "residence":
            return self.residence
        return getattr(self, field)

    @property
    def residence(self) -> str:
        return PREFECTURES.label(self.residence_prefecture) + self.residence_city

    # The labels of two choices, for the list's rows: a dictionary lookup
    # where get_FOO_display() hashes the whole choice list on every call.
    @property
    def residence_prefecture_label(self) -> str:
        return PREFECTURES.label(self.residence_prefecture)

    @property
    def fee_label(self) -> str:
        return FEES.label(self.fee)

    # Derived display values ---------------------------------------------

    @property
    def support_record(self) -> str:
        """企業支援実績 as the list shows it, e.g. "4件/6年"."""
        if self.support_cases is None and self.support_years is None:
            return ""
        return f"{self.support_cases or 0}件/{self.support_years or 0}年"

    @property
    def support_area_labels(self) -> list[str]:
        if self.nationwide:
            return [NATIONWIDE_LABEL]
        return self.regions.labels() + self.prefectures.labels()

    @property
    def support_area(self) -> str:
        return "/".join(self.support_area_labels)

    def refresh_search_text(self) -> None:
        """Rebuild the folded text that ``q`` searches: public fields only."""
        self.search_text = search.build_search_text(
            [
                self.name,
                self.public("name_kana"),
                self.public("residence"),
                self.public("organization"),
                self.public("qualifications"),
                self.public("groups"),
                self.public("self_pr"),
                self.support_description,
            ]
        )

    # Freshness ----------------------------------------------------------

    @property
    def is_stale(self) -> bool:
        return self.updated_on < stale_cutoff()

    # Lifecycle: every status change goes through one of these ------------

    def _require_status(self, *allowed, doing: str) -> None:
        if self.status not in allowed:
            raise TransitionRefused(f"掲載状況が「{self.get_status_display()}」の登録は{doing}できません。")

    def _save_as(self, by, fields) -> None:
        self._history_user = by
        self.save(update_fields=[*fields, "modified_at"])

    def submit(self, *, by=None) -> None:
        """The expert sends a new or returned application for review."""
        self._require_status(SupporterStatus.DRAFT, SupporterStatus.RETURNED, doing="申請")
        self.status = SupporterStatus.PENDING
        self._save_as(by, ["status"])

    def approve(self, *, by) -> None:
        """Staff publish a pending application."""
        self._require_status(SupporterStatus.PENDING, doing="承認")
        if self.valid_until and self.valid_until < timezone.localdate():
            raise TransitionRefused("登録有効期限が過ぎているため承認できません。")
        self.status = SupporterStatus.PUBLISHED
        self.updated_on = timezone.localdate()
        self._save_as(by, ["status", "updated_on"])

    def return_for_changes(self, *, by, reason: str) -> None:
        self._require_status(SupporterStatus.PENDING, doing="差戻し")
        _require_reason(reason)
        self.status = SupporterStatus.RETURNED
        self._save_as(by, ["status"])

    def reject(self, *, by, reason: str) -> None:
        self._require_status(SupporterStatus.PENDING, doing="却下")
        _require_reason(reason)
        self.status = SupporterStatus.REJECTED
        self._save_as(by, ["status"])

    def end_listing(self, *, by) -> None:
        """Take the entry off the list for good (the expert's wish or staff's
        decision); an open change request is withdrawn with it."""
        self._require_status(*LIVE_STATUSES, doing="掲載終了")
        for change in self.change_requests.open():
            change.withdraw(by=by)
        self.status = SupporterStatus.ENDED
        self._save_as(by, ["status"])

    def expire(self) -> None:
        """Hide a published entry whose 登録有効期限 has passed."""
        self._require_status(SupporterStatus.PUBLISHED, doing="期限切れに")
        if not self.valid_until or self.valid_until >= timezone.localdate():
            raise TransitionRefused("登録有効期限はまだ過ぎていません。")
        self.status = SupporterStatus.EXPIRED
        self._save_as(None, ["status"])

    def confirm_unchanged(self, *, by) -> None:
        """内容に変更なし: refresh 最終更新日 without a review."""
        self._require_status(SupporterStatus.PUBLISHED, doing="変更なしの確認")
        self.updated_on = timezone.localdate()
        self._save_as(by, ["updated_on"])

    @property
    def open_change(self) -> ChangeRequest | None:
        return self.change_requests.open().first()

    @property
    def entry_address(self) -> str:
        """The address the entry itself holds: the private contact address, else the published one.
        Claim links and referrals to an entry without an account go there (docs/decisions/0710)."""
        return self.contact_email or self.email

    @property
    def contact_address(self) -> str:
        """Where relayed messages go: the account's address, else the entry's own."""
        return (self.user.email if self.user_id else "") or self.entry_address

    # Claiming: an imported entry taken over by its expert's account --------

    def claim_refusal(self, user) -> str:
        """Why ``user`` cannot take this entry over now ("" if they can)."""
        if self.user_id == user.pk:
            return "この登録はすでにあなたのアカウントに連携されています。マイページから内容を確かめられます。"
        if self.user_id is not None:
            return ALREADY_CLAIMED
        if self.status not in LIVE_STATUSES:
            return f"掲載状況が「{self.get_status_display()}」の登録はアカウントに連携できません。掲載を希望する場合は、マイページから新たに申請してください。"
        own = user.supporter_entries.filter(status__in=LIVE_STATUSES).values_list("registration_no", flat=True).first()
        if own:
            return (
                f"このアカウントにはすでに登録(登録番号 {own})があります。1つのアカウントに連携できる登録は1件です。"
                "別のアカウントでログインしてから、もう一度リンクを開いてください。"
            )
        return ""

    def claim(self, *, by) -> None:
        """Attach this entry, which has no account, to ``by`` (who proved the entry's address:
        services.claim_entry). Of two accounts claiming at once, only one gets it."""
        refusal = self.claim_refusal(by)
        if refusal:
            raise TransitionRefused(refusal)
        # A conditional UPDATE decides the race: the second finds the account already set.
        if not Supporter.objects.filter(pk=self.pk, user__isnull=True).update(user=by):
            raise TransitionRefused(ALREADY_CLAIMED)
        self.user = by
        Supporter.history.bulk_history_create(
            [self], update=True, default_user=by, default_change_reason="アカウント連携"
        )


ALREADY_CLAIMED = (
    "この登録はすでに別のアカウントに連携されています。ご自身で連携した覚えがない場合は、"
    "IPA(支援者リスト事務局)へお問い合わせください。"
)


# The values an expert enters (application and change request alike).
ENTRY_FIELDS = [
    "name",
    "name_kana",
    "email",
    "residence_prefecture",
    "residence_city",
    "affiliation",
    "organization",
    "qualifications",
    "groups",
    "self_pr",
    "url",
    "experience",
    "support_experience",
    "support_cases",
    "support_years",
    "support_description",
    "nationwide",
    "regions",
    "prefectures",
    "industries",
    "themes",
    "periods",
    "fee",
    "first_free",
    "forms",
    "valid_until",
    "hidden_fields",
]


class EntryMarkup(models.Model):
    """An entry's markup in one of the list's templates, rendered once per
    change of the entry and shared by every process and host
    (supporters/markup.py). Valid while the entry's ``modified_at`` equals
    ``version``, the template's source still has ``digest`` and the entry's
    情報更新から1年以上 mark is still ``stale``; anything else is rendered anew."""

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="+")
    template = models.CharField(max_length=100)
    digest = models.CharField(max_length=32)
    version = models.DateTimeField()
    stale = models.BooleanField()
    html = models.TextField()

    class Meta:
        verbose_name = "一覧の表示(描画済み)"
        verbose_name_plural = "一覧の表示(描画済み)"
        constraints = [models.UniqueConstraint(fields=["supporter", "template"], name="entry_markup_per_template")]

    def __str__(self):
        return f"{self.supporter_id} {self.template}"


def entry_values(supporter: Supporter) -> dict:
    """ENTRY_FIELDS of an entry as JSON-ready values."""
    out = {}
    for name in ENTRY_FIELDS:
        value = getattr(supporter, name)
        if isinstance(value, frozenset):
            value = value.ordered()
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        out[name] = value
    return out


def apply_values(supporter: Supporter, values: dict) -> Supporter:
    """Set ENTRY_FIELDS from ``entry_values`` output (in memory only)."""
    for name in ENTRY_FIELDS:
        if name in values:
            field = Supporter._meta.get_field(name)
            setattr(supporter, name, field.to_python(values[name]))
    return supporter


def display_value(supporter: Supporter, name: str) -> str:
    """A field's value as staff and experts read it."""
    if name == "hidden_fields":
        hidden = [label for key, label in Supporter.HIDEABLE_FIELDS.items() if key in (supporter.hidden_fields or [])]
        return "、".join(hidden) or "なし(すべて公開)"
    field = Supporter._meta.get_field(name)
    value = getattr(supporter, name)
    if field.choices and value:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, frozenset):
        return "/".join(value.labels()) or "—"
    if isinstance(value, bool):
        return "あり" if value else "なし"
    if isinstance(value, datetime.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if value in (None, ""):
        return "—"
    return str(value)


class ChangeRequestStatus(models.TextChoices):
    PENDING = "pending", "審査待ち"
    RETURNED = "returned", "差戻し"
    APPROVED = "approved", "承認済み"
    REJECTED = "rejected", "却下"
    WITHDRAWN = "withdrawn", "取下げ"


OPEN_CHANGE_STATUSES = (ChangeRequestStatus.PENDING, ChangeRequestStatus.RETURNED)


class ChangeRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_CHANGE_STATUSES)

    def pending(self):
        return self.filter(status=ChangeRequestStatus.PENDING)


class ChangeRequest(models.Model):
    """Proposed values for a published (or expired) entry. The entry itself
    is untouched until staff approve."""

    Status = ChangeRequestStatus

    supporter = models.ForeignKey(
        Supporter, verbose_name="支援者", on_delete=models.CASCADE, related_name="change_requests"
    )
    data = models.JSONField("変更後の内容", default=dict)
    status = models.CharField(
        "状況", max_length=10, choices=ChangeRequestStatus.choices, default=ChangeRequestStatus.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申請者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("作成日時", default=timezone.now)
    submitted_at = models.DateTimeField("申請日時", default=timezone.now, db_index=True)
    decided_at = models.DateTimeField("判断日時", null=True, blank=True)

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "変更申請"
        verbose_name_plural = "変更申請"
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["supporter"],
                condition=Q(status__in=OPEN_CHANGE_STATUSES),
                name="one_open_change_per_supporter",
                violation_error_message="審査中または差戻し中の変更申請がすでにあります。",
            ),
        ]

    def __str__(self):
        return f"{self.supporter} の変更申請({self.get_status_display()})"

    def proposed(self) -> Supporter:
        """The entry as it would be after approval (not saved)."""
        entry = Supporter.objects.get(pk=self.supporter_id)
        return apply_values(entry, self.data)

    def diff(self) -> list[tuple[str, str, str]]:
        """(label, published value, proposed value) of every changed field."""
        current, proposed = self.supporter, self.proposed()
        rows = []
        for name in ENTRY_FIELDS:
            before, after = display_value(current, name), display_value(proposed, name)
            if before != after:
                rows.append((str(Supporter._meta.get_field(name).verbose_name), before, after))
        return rows

    def _require_status(self, *allowed, doing: str) -> None:
        if self.status not in allowed:
            raise TransitionRefused(f"状況が「{self.get_status_display()}」の変更申請は{doing}できません。")

    def _decide(self, status) -> None:
        self.status = status
        self.decided_at = timezone.now()
        self.save(update_fields=["status", "decided_at"])

    def resubmit(self, *, data: dict) -> None:
        """The expert sends a returned change again, edited."""
        self._require_status(ChangeRequestStatus.RETURNED, doing="再申請")
        self.data = data
        self.status = ChangeRequestStatus.PENDING
        self.submitted_at = timezone.now()
        self.decided_at = None
        self.save(update_fields=["data", "status", "submitted_at", "decided_at"])

    def approve(self, *, by) -> None:
        """Copy the proposed values onto the entry; an expired entry with a
        new validity date is published again."""
        self._require_status(ChangeRequestStatus.PENDING, doing="承認")
        entry = self.proposed()
        entry._require_status(SupporterStatus.PUBLISHED, SupporterStatus.EXPIRED, doing="変更")
        today = timezone.localdate()
        if entry.valid_until and entry.valid_until < today:
            raise TransitionRefused("登録有効期限が過ぎているため承認できません。新しい有効期限が必要です。")
        entry.status = SupporterStatus.PUBLISHED
        entry.updated_on = today
        entry._history_user = by
        entry._change_reason = "変更申請の承認"
        entry.save()
        self._decide(ChangeRequestStatus.APPROVED)
        self.supporter = entry

    def return_for_changes(self, *, by, reason: str) -> None:
        self._require_status(ChangeRequestStatus.PENDING, doing="差戻し")
        _require_reason(reason)
        self._decide(ChangeRequestStatus.RETURNED)

    def reject(self, *, by, reason: str) -> None:
        self._require_status(ChangeRequestStatus.PENDING, doing="却下")
        _require_reason(reason)
        self._decide(ChangeRequestStatus.REJECTED)

    def withdraw(self, *, by=None) -> None:
        self._require_status(*OPEN_CHANGE_STATUSES, doing="取下げ")
        self._decide(ChangeRequestStatus.WITHDRAWN)


class Decision(models.Model):
    """One step in an entry's life: who did what, when and why."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "申請"
        CHANGE_SUBMITTED = "change_submitted", "変更申請"
        APPROVED = "approved", "承認"
        RETURNED = "returned", "差戻し"
        REJECTED = "rejected", "却下"
        ENDED = "ended", "掲載終了"
        EXPIRED = "expired", "期限切れ"
        CONFIRMED = "confirmed", "変更なしの確認"
        WITHDRAWN = "withdrawn", "変更申請の取下げ"
        CLAIMED = "claimed", "アカウント連携"

    supporter = models.ForeignKey(Supporter, verbose_name="支援者", on_delete=models.CASCADE, related_name="decisions")
    change_request = models.ForeignKey(
        ChangeRequest,
        verbose_name="変更申請",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    action = models.CharField("内容", max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="実施者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField("理由", blank=True)
    created_at = models.DateTimeField("日時", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "審査・手続きの記録"
        verbose_name_plural = "審査・手続きの記録"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.supporter} {self.get_action_display()}"

    @property
    def actor_label(self) -> str:
        if self.actor_id is None:
            return "システム(自動)"
        return "IPA職員" if self.actor.is_staff else "ご本人"


class ReminderLog(models.Model):
    """One reminder e-mail sent; the unique key makes send_reminders idempotent."""

    class Kind(models.TextChoices):
        EXPIRY_60 = "expiry_60", "有効期限60日前"
        EXPIRY_30 = "expiry_30", "有効期限30日前"
        STALE = "stale", "情報更新から1年以上"

    supporter = models.ForeignKey(Supporter, verbose_name="支援者", on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField("種類", max_length=12, choices=Kind.choices)
    # The date the reminder is about (登録有効期限 or 最終更新日): a new date
    # earns a new reminder, the same date never a second one.
    key = models.CharField("対象日", max_length=10)
    sent_at = models.DateTimeField("送信日時", default=timezone.now)

    class Meta:
        verbose_name = "リマインダー送信記録"
        verbose_name_plural = "リマインダー送信記録"
        constraints = [
            models.UniqueConstraint(fields=["supporter", "kind", "key"], name="one_reminder_per_kind_and_date"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}({self.key})"


class ContactMessageQuerySet(models.QuerySet):
    def older_than(self, days: int):
        return self.filter(created_at__lt=timezone.now() - datetime.timedelta(days=days))


class ContactMessage(models.Model):
    """A message relayed to an expert whose address is not published; kept
    for 90 days so staff can deal with abuse."""

    RETENTION_DAYS = 90

    supporter = models.ForeignKey(
        Supporter, verbose_name="宛先の支援者", on_delete=models.CASCADE, related_name="contact_messages"
    )
    name = models.CharField("お名前", max_length=100)
    email = models.EmailField("メールアドレス", max_length=254)
    organization = models.CharField("会社・団体名", max_length=200, blank=True)
    message = models.TextField("お問い合わせ内容", max_length=2000)
    ip_address = models.GenericIPAddressField("送信元IPアドレス", null=True, blank=True)
    created_at = models.DateTimeField("受信日時", default=timezone.now, db_index=True)

    objects = ContactMessageQuerySet.as_manager()

    class Meta:
        verbose_name = "お問い合わせ(中継)"
        verbose_name_plural = "お問い合わせ(中継)"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} → {self.supporter}"


class ClaimLinkQuerySet(models.QuerySet):
    def sent_since(self, since: datetime.datetime):
        return self.filter(created_at__gt=since)


class ClaimLink(models.Model):
    """A link mailed to an entry's own address that lets its expert attach the entry to an
    account (docs/decisions/0710). Single use, expiring, and void once the entry has an
    account or its address changed; the link itself is signed (services.claim_token)."""

    class Origin(models.TextChoices):
        REQUESTED = "requested", "本人の申し出"
        STAFF = "staff", "IPA職員からの案内"
        REFERRAL = "referral", "紹介メール"

    # How long each kind of link stays usable, in days: the expert who asked is at the keyboard;
    # an invitation from staff or a referral may wait in the mailbox for a while.
    VALID_DAYS = {Origin.REQUESTED: 3, Origin.STAFF: 30, Origin.REFERRAL: 30}
    # At most this many links an entry's owner asked for reach its mailbox a day.
    REQUESTS_PER_ENTRY_PER_DAY = 3
    # Staff's bulk invitation skips an entry invited within this many days.
    STAFF_RESEND_DAYS = 7

    supporter = models.ForeignKey(
        Supporter, verbose_name="支援者", on_delete=models.CASCADE, related_name="claim_links"
    )
    email = models.EmailField("送信先")
    origin = models.CharField("きっかけ", max_length=10, choices=Origin.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="依頼したアカウント",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("送信日時", default=timezone.now, db_index=True)
    expires_at = models.DateTimeField("有効期限")
    used_at = models.DateTimeField("使用日時", null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="連携したアカウント",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ClaimLinkQuerySet.as_manager()

    class Meta:
        verbose_name = "アカウント連携リンク"
        verbose_name_plural = "アカウント連携リンク"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.supporter}({self.get_origin_display()})"

    def save(self, *args, **kwargs):
        if self.expires_at is None:
            self.expires_at = (self.created_at or timezone.now()) + datetime.timedelta(
                days=self.VALID_DAYS[self.origin]
            )
        super().save(*args, **kwargs)

    @property
    def valid_days(self) -> int:
        return self.VALID_DAYS[self.origin]

    def refusal(self, user=None) -> str:
        """Why the link cannot attach the entry now ("" if it can), in words for the person holding it."""
        supporter = self.supporter
        if self.used_at is not None:
            if user is not None and self.used_by_id == user.pk:
                return "このリンクはすでに使われ、登録はあなたのアカウントに連携されています。マイページから内容を確かめられます。"
            return (
                "このリンクはすでに使われました。1つのリンクで連携できるのは1回だけです。"
                "ご自身で使った覚えがない場合は、IPA(支援者リスト事務局)へお問い合わせください。"
            )
        if self.expires_at <= timezone.now():
            return (
                f"このリンクの有効期限({self.valid_days}日)が切れています。ログインして"
                "「掲載中の登録をアカウントに連携する」から、もう一度メールを受け取ってください。"
            )
        if supporter.entry_address.strip().lower() != self.email.strip().lower():
            return (
                "リンクを送った後に登録の連絡先メールアドレスが変わったため、このリンクは使えません。"
                "ログインして「掲載中の登録をアカウントに連携する」から、新しいアドレスでメールを受け取ってください。"
            )
        if user is not None:
            return supporter.claim_refusal(user)
        if supporter.user_id is not None:
            return ALREADY_CLAIMED
        return ""

    def use(self, *, by) -> None:
        """Attach the entry to ``by`` and spend the link."""
        refusal = self.refusal(by)
        if refusal:
            raise TransitionRefused(refusal)
        self.supporter.claim(by=by)
        self.used_at = timezone.now()
        self.used_by = by
        self.save(update_fields=["used_at", "used_by"])
