from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from supporters import accounts as supporter_accounts

from . import views
from .auth import EmailAuthenticationForm

admin.site.site_header = "セキュリティ対策支援者リスト 管理"
admin.site.site_title = "支援者リスト管理"
admin.site.index_title = "管理メニュー"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm),
        name="login",
    ),
    path("accounts/signup/", supporter_accounts.signup, name="signup"),
    path("accounts/verify/<str:token>/", supporter_accounts.verify, name="verify"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("supporters.urls")),
    path("assessments/", include("assessments.urls")),
    path("seminars/", include("seminars.urls")),
]

handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
