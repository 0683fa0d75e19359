from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import accounts, navigation, two_factor, views
from .access import Role, grant_access
from .auth import EmailAuthenticationForm
from .ratelimit import limit

# Django's own account views, declared here; the site's own views declare
# their rule where they are defined (config/access.py).
public = grant_access(Role.PUBLIC)
# A token link: the token is the permission, and the page is about one person.
by_link = grant_access(Role.PUBLIC, personal=True)
signed_in = grant_access(Role.SIGNED_IN)

urlpatterns = [
    # The directory first: its pages are most of the traffic, and Django tries
    # the patterns in order (supporters/urls.py). No pattern here matches a
    # path of the directory's.
    path("", include("supporters.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        public(limit("login", rate="20/m")(auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm))),
        name="login",
    ),
    path("accounts/logout/", public(auth_views.LogoutView.as_view()), name="logout"),
    path("accounts/start/", navigation.start, name="start"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/verify/<str:token>/", accounts.verify, name="verify"),
    path("accounts/two-factor/", two_factor.setup, name="two-factor-setup"),
    path("accounts/two-factor/verify/", two_factor.verify, name="two-factor-verify"),
    path(
        "accounts/password_change/",
        signed_in(auth_views.PasswordChangeView.as_view(form_class=accounts.PasswordChangeForm)),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        signed_in(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path(
        "accounts/password_reset/",
        public(limit("password-reset", rate="10/h")(accounts.PasswordResetView.as_view())),
        name="password_reset",
    ),
    path(
        "accounts/password_reset/done/",
        public(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        by_link(auth_views.PasswordResetConfirmView.as_view(form_class=accounts.SetPasswordForm)),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/", public(auth_views.PasswordResetCompleteView.as_view()), name="password_reset_complete"
    ),
    path("assessments/", include("assessments.urls")),
    path("seminars/", include("seminars.urls")),
    path("referrals/", include("supporters.referrals.urls")),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
