"""A URL configuration with a view that declares no access rule (tests only)."""

from django.http import HttpResponse
from django.urls import include, path


def undeclared(request):
    return HttpResponse("should never be shown")


urlpatterns = [
    path("undeclared/", undeclared),
    # The error page's navigation links to these.
    path("", include("config.urls")),
]

handler403 = "config.views.permission_denied"
