import pytest

from assessments.catalogue import install_seed_catalogue
from tests.factories import UserFactory, make_staff

from .factories import expert_with_account, make_assessment


@pytest.fixture(autouse=True)
def catalogue(db):
    return install_seed_catalogue()


@pytest.fixture
def company_user():
    return UserFactory(email="company@example.jp")


@pytest.fixture
def expert():
    return expert_with_account(registration_no="012345")


@pytest.fixture
def assessment(company_user, expert):
    return make_assessment(company_user=company_user, expert=expert[1])


@pytest.fixture
def staff():
    return make_staff(email="staff@example.jp")
