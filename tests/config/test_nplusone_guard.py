"""The test settings turn a lazy relation load repeated in a view into an error,
so every page the suite requests proves that it loads what it shows up front."""

import pytest
from django.http import HttpResponse
from django.urls import path
from zeal.errors import NPlusOneError

from config.access import Role, grant_access
from supporters.models import Supporter
from tests.factories import SupporterFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def lazy(request):
    return HttpResponse(", ".join(s.user.email for s in Supporter.objects.all()))


def loaded_up_front(request):
    return HttpResponse(", ".join(s.user.email for s in Supporter.objects.select_related("user")))


urlpatterns = [
    path("lazy/", grant_access(Role.PUBLIC)(lazy)),
    path("loaded/", grant_access(Role.PUBLIC)(loaded_up_front)),
]


@pytest.fixture(autouse=True)
def _entries():
    for n in range(3):
        SupporterFactory(user=UserFactory(email=f"expert{n}@example.jp"))


def test_a_view_loading_a_relation_per_row_fails_the_test(client):
    with pytest.raises(NPlusOneError, match="supporters.Supporter.user"):
        client.get("/lazy/")


def test_the_same_view_with_the_relation_loaded_passes(client):
    assert client.get("/loaded/").content.decode().count("@example.jp") == 3
