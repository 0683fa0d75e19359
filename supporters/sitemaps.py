"""sitemap.xml: the directory's pages and every published 個票 (robots.txt names it)."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.urls import reverse
from django.views.decorators.http import require_safe

from config.access import Role, grant_access

from .models import Supporter


class DirectoryPages(Sitemap):
    changefreq = "weekly"

    def items(self):
        return [
            "supporters:home",
            "supporters:list",
            "supporters:guide",
            "supporters:stats",
            "supporters:help",
            "supporters:for-experts",
        ]

    def location(self, item):
        return reverse(item)


class ExpertPages(Sitemap):
    """One 個票 per published entry (50,000 a file, as the protocol allows)."""

    changefreq = "monthly"
    limit = 50_000

    def items(self):
        return Supporter.objects.published().only("registration_no", "updated_on").order_by("registration_no")

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_on


SITEMAPS = {"pages": DirectoryPages, "experts": ExpertPages}


@grant_access(Role.PUBLIC)
@require_safe
def sitemap(request):
    return django_sitemap(request, sitemaps=SITEMAPS)
