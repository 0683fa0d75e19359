"""Workflows that span many rows or models."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import Supporter
from .tabular import ParsedRow

BATCH = 500
IMPORTED_FIELDS = [
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
    "updated_on",
]


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int


@transaction.atomic
def import_supporters(*, rows: list[ParsedRow], dry_run: bool = False) -> ImportSummary:
    """Upsert validated rows by 登録番号 and publish them, all or nothing.

    Imported rows are the list as IPA staff maintain it, so they are
    published as they stand. With ``dry_run`` nothing is written.
    """
    today = datetime.date.today()
    now = timezone.now()
    numbers = [row.fields["registration_no"] for row in rows]
    existing: dict[str, Supporter] = {}
    for start in range(0, len(numbers), BATCH):
        chunk = numbers[start : start + BATCH]
        existing.update(
            (s.registration_no, s) for s in Supporter.objects.live().filter(registration_no__in=chunk)
        )

    to_create, to_update = [], []
    for row in rows:
        values = dict(row.fields)
        values["updated_on"] = values.get("updated_on") or today
        supporter = existing.get(values["registration_no"])
        if supporter is None:
            supporter = Supporter(**values, status=Supporter.Status.PUBLISHED)
            to_create.append(supporter)
        else:
            for name in IMPORTED_FIELDS:
                setattr(supporter, name, values[name])
            supporter.status = Supporter.Status.PUBLISHED
            supporter.modified_at = now
            to_update.append(supporter)
        supporter.refresh_search_text()

    summary = ImportSummary(created=len(to_create), updated=len(to_update))
    if dry_run:
        return summary
    Supporter.objects.bulk_create(to_create, batch_size=BATCH)
    Supporter.objects.bulk_update(
        to_update, [*IMPORTED_FIELDS, "status", "search_text", "modified_at"], batch_size=BATCH
    )
    return summary
