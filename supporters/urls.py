from django.urls import path, register_converter

from . import expert_views, guide_views, sitemaps, stats_views, views


class RegistrationNoConverter:
    regex = r"\d{6}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(RegistrationNoConverter, "regno")

app_name = "supporters"

# The list and the 個票 first: Django tries the patterns in order and keeps
# every one it tried on the request (ResolverMatch.tried), so the pages
# drawn most often match after the fewest (docs/performance.md, the
# eleventh round). No two patterns here match the same path.
urlpatterns = [
    path("supporters/", views.supporter_list, name="list"),
    path("supporters/<regno:registration_no>/", views.supporter_detail, name="detail"),
    path("", views.home, name="home"),
    path("help/", views.help_page, name="help"),
    path("for-experts/", views.for_experts, name="for-experts"),
    path("guide/", guide_views.guide_start, name="guide"),
    path("guide/urgent/", guide_views.guide_urgent, name="guide-urgent"),
    path("guide/result/", guide_views.guide_result, name="guide-result"),
    path("guide/<slug:step>/", guide_views.guide_step, name="guide-step"),
    path("stats/", stats_views.stats_page, name="stats"),
    path("stats/figures.csv", stats_views.stats_csv, name="stats-csv"),
    path("sitemap.xml", sitemaps.sitemap, name="sitemap"),
    path("supporters/export.csv", views.export_csv, name="export-csv"),
    path("supporters/export.json", views.export_json, name="export-json"),
    path("supporters/apply/", expert_views.apply, name="apply"),
    path("supporters/mine/", expert_views.mine, name="mine"),
    path("supporters/mine/edit/", expert_views.edit, name="edit"),
    path("supporters/mine/confirm/", expert_views.confirm, name="confirm"),
    path("supporters/mine/withdraw-change/", expert_views.withdraw_change, name="withdraw-change"),
    path("supporters/mine/end/", expert_views.end, name="end"),
    path("supporters/claim/", expert_views.claim_request, name="claim-request"),
    path("supporters/claim/<str:token>/", expert_views.claim, name="claim"),
    path("supporters/<regno:registration_no>/contact/", views.supporter_contact, name="contact"),
    path("supporters/<regno:registration_no>/report/", views.report_error, name="report"),
]
