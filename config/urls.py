from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from supporters import accounts as supporter_accounts

from . import two_factor, views
from .auth import EmailAuthenticationForm
from .ratelimit import limit

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        limit("login", rate="20/m")(auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm)),
        name="login",
    ),
    path("accounts/signup/", supporter_accounts.signup, name="signup"),
    path("accounts/verify/<str:token>/", supporter_accounts.verify, name="verify"),
    path("accounts/two-factor/", two_factor.setup, name="two-factor-setup"),
    path("accounts/two-factor/verify/", two_factor.verify, name="two-factor-verify"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("supporters.urls")),
    path("assessments/", include("assessments.urls")),
    path("seminars/", include("seminars.urls")),
]

handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
