from django.urls import path, register_converter

from . import views


class RegistrationNoConverter:
    regex = r"\d{6}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(RegistrationNoConverter, "regno")

app_name = "supporters"

urlpatterns = [
    path("", views.home, name="home"),
    path("help/", views.help_page, name="help"),
    path("supporters/", views.supporter_list, name="list"),
    path("supporters/export.csv", views.export_csv, name="export-csv"),
    path("supporters/export.json", views.export_json, name="export-json"),
    path("supporters/<regno:registration_no>/", views.supporter_detail, name="detail"),
]
