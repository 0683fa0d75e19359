from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("new/", views.start, name="start"),
    path("new/expert/", views.start_as_expert, name="start-as-expert"),
    path(
        "invitations/<int:invitation_pk>/accept/",
        views.respond_expert_invitation,
        {"answer": "accept"},
        name="accept-invitation",
    ),
    path(
        "invitations/<int:invitation_pk>/decline/",
        views.respond_expert_invitation,
        {"answer": "decline"},
        name="decline-invitation",
    ),
    path("join/<str:token>/", views.company_invitation, name="invitation"),
    path("companies/<int:pk>/members/", views.company_members, name="company-members"),
    path("companies/<int:pk>/members/<int:user_pk>/remove/", views.remove_member, name="remove-member"),
    path(
        "companies/<int:pk>/invitations/<int:invitation_pk>/revoke/",
        views.revoke_colleague_invitation,
        name="revoke-colleague-invitation",
    ),
    path("companies/join/<str:token>/", views.join_company, name="join-company"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/meetings/", views.meetings, name="meetings"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/invitations/<int:invitation_pk>/revoke/", views.revoke_invitation, name="revoke-invitation"),
    path("<int:pk>/submit/self-check/", views.submit, {"step": "self-check"}, name="submit-self-check"),
    path("<int:pk>/submit/review/", views.submit, {"step": "review"}, name="submit-review"),
    path("<int:pk>/sheet/", views.sheet, name="sheet"),
    path("<int:pk>/sheet/edit/", views.sheet_edit, name="sheet-edit"),
    path("<int:pk>/sheet/history/", views.sheet_history, name="sheet-history"),
    path("<int:pk>/sheet/history/<int:revision_pk>/", views.sheet_revision, name="sheet-revision"),
    path("<int:pk>/sheet.xlsx", views.sheet_xlsx, name="sheet-xlsx"),
    path("<int:pk>/summary/", views.summary, name="summary"),
    path("<int:pk>/plan/", views.plan_detail, name="plan"),
    path("<int:pk>/plan/edit/", views.plan_edit, name="plan-edit"),
    path("<int:pk>/plan/agree/", views.plan_agree, name="plan-agree"),
    path("<int:pk>/plan/revise/", views.plan_revise, name="plan-revise"),
    path("<int:pk>/plan/<int:revision>/", views.plan_detail, name="plan-revision"),
    path("<int:pk>/plan.xlsx", views.plan_xlsx, name="plan-xlsx"),
    path("<int:pk>/plan/<int:revision>.xlsx", views.plan_xlsx, name="plan-revision-xlsx"),
]
