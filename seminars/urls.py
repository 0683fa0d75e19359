from django.urls import path

from . import views

app_name = "seminars"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("faq/", views.faq, name="faq"),
    path("report/", views.report, name="report"),
    path("report/follow-up/", views.follow_up, name="follow-up"),
    path("report/follow-up/send/", views.follow_up_send, name="follow-up-send"),
    path("report/registrations/", views.registrations, name="registrations"),
    path("report/surveys/<int:pk>/", views.survey_results, name="survey-results"),
    path("report/surveys/<int:pk>/results.csv", views.survey_csv, name="survey-csv"),
    path("report/surveys/<int:pk>/send/", views.survey_send, name="survey-send"),
    path("report/<slug:slug>/attendance/", views.attendance_import, name="attendance-import"),
    path("applications/<str:token>/", views.application, name="application"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("surveys/answer/<str:token>/", views.survey_personal, name="survey-personal"),
    path("surveys/open/<uuid:key>/", views.survey_anonymous, name="survey-anonymous"),
    path("<slug:slug>/", views.event_detail, name="detail"),
    path("<slug:slug>/apply/", views.apply, name="apply"),
    path("<slug:slug>/applied/", views.applied, name="applied"),
    path("<slug:slug>/apply/sent/", views.confirm_sent, name="confirm-sent"),
    path("<slug:slug>/calendar.ics", views.event_ics, name="ics"),
    path("<slug:slug>/materials/<int:pk>/", views.material, name="material"),
]
