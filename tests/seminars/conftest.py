import pytest
from django.contrib.auth.models import Group

from config.roles import IPA_STAFF_GROUP
from tests.factories import UserFactory


@pytest.fixture
def staff_client(client, db):
    """A client logged in as an IPA職員 member (exactly the group's permissions)."""
    user = UserFactory(email="staff@example.jp", is_staff=True)
    user.groups.add(Group.objects.get(name=IPA_STAFF_GROUP))
    client.force_login(user)
    client.user = user
    return client
