from django.urls import path

app_name = "seminars"

urlpatterns: list = []
