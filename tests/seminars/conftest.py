import pytest

from tests.factories import login_staff, make_staff


@pytest.fixture
def staff_client(client, db):
    """A client logged in as an IPA職員 member (exactly the group's permissions), second factor passed."""
    user = make_staff()
    login_staff(client, user)
    client.user = user
    return client
