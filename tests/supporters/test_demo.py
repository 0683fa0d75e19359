import io
from collections import Counter

import pytest
from django.core.management import call_command

from supporters.demo import build_rows
from supporters.models import Supporter
from supporters.taxonomy import PREFECTURES

pytestmark = pytest.mark.django_db


def test_demo_rows_are_deterministic():
    assert build_rows() == build_rows()


def test_load_demo_gives_340_published_experts_spread_like_the_real_list():
    call_command("load_demo", stdout=io.StringIO())
    experts = list(Supporter.objects.published())
    assert len(experts) == 340
    assert experts[0].name == "姓001 名001"
    by_region = Counter(PREFECTURES.get(s.residence_prefecture).region for s in experts)
    assert by_region.most_common(2)[0][0] == "kanto" and by_region.most_common(2)[1][0] == "kinki"
    assert len(by_region) == 10
    assert all(by_region[r] > 0 for r in by_region)


def test_load_demo_if_empty_keeps_existing_data():
    call_command("load_demo", stdout=io.StringIO())
    Supporter.objects.filter(registration_no=Supporter.objects.first().registration_no).update(name="変更済み")
    out = io.StringIO()
    call_command("load_demo", "--if-empty", stdout=out)
    assert "読み込みませんでした" in out.getvalue()
    assert Supporter.objects.filter(name="変更済み").exists()
