from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/new/", views.case_create, name="case-create"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case-edit"),
    path("cases/<int:pk>/status/", views.case_status, name="case-status"),
    path("cases/<int:pk>/shortlist/", views.shortlist, name="shortlist"),
    path("cases/<int:pk>/shortlist/add/", views.shortlist_add, name="shortlist-add"),
    path("cases/<int:pk>/shortlist/<int:entry_pk>/move/", views.entry_move, name="entry-move"),
    path("cases/<int:pk>/shortlist/<int:entry_pk>/remove/", views.entry_remove, name="entry-remove"),
    path("cases/<int:pk>/shortlist/<int:entry_pk>/reason/", views.entry_reason, name="entry-reason"),
    path("cases/<int:pk>/shortlist/<int:entry_pk>/refer/", views.entry_refer, name="entry-refer"),
    path("cases/<int:pk>/sheet/", views.sheet, name="sheet"),
    path("cases/<int:pk>/referrals/<int:referral_pk>/", views.case_referral, name="case-referral"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:referral_pk>/", views.inbox_detail, name="inbox-detail"),
    path("answer/<str:token>/", views.answer, name="answer"),
    path("flow/", views.flow_page, name="flow"),
    path("flow.csv", views.flow_csv, name="flow-csv"),
]
