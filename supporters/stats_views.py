"""Open figures (/stats/): the page and its CSV (supporters/stats.py)."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from config.access import Role, grant_access
from config.spreadsheets import csv_response

from . import index, stats
from .cache import request_version


def _figures(request) -> stats.Figures:
    return stats.figures(index.index_for(request_version(request)))


@grant_access(Role.PUBLIC)
@require_safe
def stats_page(request):
    return render(
        request,
        "supporters/stats.html",
        {
            "figures": _figures(request),
            "breadcrumbs": [("トップ", reverse("supporters:home")), ("数字で見る支援者リスト", None)],
        },
    )


@grant_access(Role.PUBLIC)
@require_safe
def stats_csv(request):
    rows = stats.csv_rows(_figures(request))
    return csv_response(f"shienlist-stats-{timezone.localdate():%Y%m%d}.csv", ["区分", "項目", "人数"], rows)
