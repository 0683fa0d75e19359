import datetime

import pytest

from tests.factories import SupporterFactory, UserFactory, login_staff, make_staff


@pytest.fixture
def expert(db):
    return UserFactory(email="expert@example.jp")


@pytest.fixture
def staff(db):
    return make_staff()


@pytest.fixture
def expert_client(client, expert):
    client.force_login(expert)
    return client


@pytest.fixture
def staff_client(client, staff):
    return login_staff(client, staff)


@pytest.fixture
def listed(expert):
    """The expert's published entry; e-mail published, self-PR hidden."""
    return SupporterFactory(
        user=expert,
        registration_no="123456",
        name="公開 太郎",
        email="public@example.jp",
        self_pr="ひみつのPR",
        hidden_fields=["self_pr"],
    )


def entry_data(**overrides) -> dict:
    """A valid application as the form posts it."""
    data = {
        "registration_no": "654321",
        "valid_until": (datetime.date.today() + datetime.timedelta(days=700)).isoformat(),
        "name": "申請 花子",
        "name_kana": "シンセイ ハナコ",
        "email": "hanako@example.jp",
        "residence_prefecture": "osaka",
        "residence_city": "大阪市",
        "affiliation": "independent",
        "organization": "",
        "qualifications": "",
        "groups": "",
        "self_pr": "よろしくお願いします。",
        "url": "",
        "experience": "over-10",
        "support_experience": "yes",
        "support_cases": "4",
        "support_years": "6",
        "support_description": "規程づくり",
        "industries": ["finance"],
        "area": ["region:kinki"],
        "themes": ["policy", "cloud"],
        "periods": ["spot"],
        "fee": "10k-20k",
        "forms": ["visit", "remote"],
        "published_fields": ["name_kana", "residence", "organization", "qualifications", "groups", "self_pr", "url"],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
