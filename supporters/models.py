from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

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
    prefectures_of,
)

registration_no_validator = RegexValidator(
    r"^\d{6}\Z", "登録番号は6桁の数字で入力してください。"
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


class SupporterQuerySet(models.QuerySet):
    # Bulk writes send no signals; they invalidate the cached pages here.
    def update(self, **kwargs):
        from .cache import bump_version

        rows = super().update(**kwargs)
        bump_version()
        return rows

    def bulk_create(self, *args, **kwargs):
        from .cache import bump_version

        created = super().bulk_create(*args, **kwargs)
        bump_version()
        return created

    def bulk_update(self, *args, **kwargs):
        from .cache import bump_version

        rows = super().bulk_update(*args, **kwargs)
        bump_version()
        return rows

    def published(self):
        return self.filter(status=SupporterStatus.PUBLISHED)

    def live(self):
        return self.filter(status__in=LIVE_STATUSES)

    def serving_regions(self, region_slugs):
        """Entries that support any of the regions: 全国, the region itself,
        or any prefecture inside it."""
        prefecture_slugs = [p.slug for r in region_slugs for p in prefectures_of(r)]
        return self.filter(
            Q(nationwide=True)
            | Q(regions__has_any=region_slugs)
            | Q(prefectures__has_any=prefecture_slugs)
        )

    def search(self, query: str):
        """Every word of ``query`` must occur in the entry's public text."""
        qs = self
        for token in search.query_tokens(query):
            qs = qs.filter(search_text__contains=token)
        return qs


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

    registration_no = models.CharField(
        "登録番号", max_length=6, validators=[registration_no_validator]
    )
    status = models.CharField(
        "掲載状況", max_length=12, choices=SupporterStatus.choices, default=SupporterStatus.DRAFT
    )
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
    name_kana = models.CharField("氏名(カナ)", max_length=100, blank=True)
    email = models.EmailField("公開用メールアドレス", blank=True)
    residence_prefecture = models.CharField(
        "居住地(都道府県)", max_length=12, choices=PREFECTURES.choices, blank=True
    )
    residence_city = models.CharField("居住地(市区町村)", max_length=100, blank=True)
    affiliation = models.CharField(
        "所属状況", max_length=20, choices=AFFILIATIONS.choices, blank=True
    )
    organization = models.CharField("所属組織", max_length=200, blank=True)
    qualifications = models.CharField("他の資格", max_length=500, blank=True)
    groups = models.CharField("所属・関係する団体", max_length=500, blank=True)
    self_pr = models.TextField("自己PR", max_length=2000, blank=True)
    url = models.URLField("参考URL", max_length=500, blank=True)

    # ■支援実績
    experience = models.CharField(
        "セキュリティ実務経験", max_length=10, choices=EXPERIENCE.choices, blank=True
    )
    support_experience = models.CharField(
        "企業支援経験", max_length=3, choices=SupportExperience.choices, blank=True
    )
    support_cases = models.PositiveIntegerField("企業支援実績(件数)", null=True, blank=True)
    support_years = models.PositiveIntegerField("企業支援実績(年数)", null=True, blank=True)
    support_description = models.TextField("企業支援内容", max_length=2000, blank=True)

    # 支援条件
    nationwide = models.BooleanField("全国対応", default=False)
    regions = TermSetField("支援対象地域(地域)", taxonomy=REGIONS, blank=True)
    prefectures = TermSetField("支援対象地域(都道府県)", taxonomy=PREFECTURES, blank=True)
    industries = TermSetField("得意とする業界", taxonomy=INDUSTRIES, blank=True)
    themes = TermSetField("支援可能な指導テーマ", taxonomy=THEMES, blank=True)
    periods = TermSetField("支援期間", taxonomy=PERIODS, blank=True)
    fee = models.CharField(
        "支援料金(1回/2時間あたり)", max_length=12, choices=FEES.choices, blank=True
    )
    first_free = models.BooleanField("初回指導割引(初回相談無料)", default=False)
    forms = TermSetField("支援可能な形態", taxonomy=FORMS, blank=True)

    valid_until = models.DateField("登録有効期限", null=True, blank=True)
    updated_on = models.DateField("最終更新日", default=datetime.date.today)
    hidden_fields = models.JSONField("非公開にする項目", default=list, blank=True)

    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField("作成日時", default=timezone.now, editable=False)
    modified_at = models.DateTimeField("更新日時", auto_now=True)

    objects = SupporterQuerySet.as_manager()

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
        return reverse("supporters:detail", args=[self.registration_no])

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
