"""Factories and builders for the assessments tests (HTTP and browser)."""

import datetime

import factory

from assessments.catalogue import install_seed_catalogue
from assessments.models import Company, Meeting, SheetRow, Side
from assessments.services import create_assessment, submit_review
from tests.factories import SupporterFactory, UserFactory


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"テスト工業{n}株式会社")
    industry = "manufacturing-other"
    employees = 30

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.add(*extracted)


def expert_with_account(**kwargs):
    """A published supporter owned by a fresh user; returns (user, supporter)."""
    user = UserFactory(first_name="太郎", last_name="応援")
    supporter = SupporterFactory(user=user, **kwargs)
    return user, supporter


def make_assessment(*, company_user, expert=None, stage="self_check", **fields):
    """An assessment advanced to ``stage`` (filling what each step needs)."""
    install_seed_catalogue()
    company = CompanyFactory(members=[company_user])
    assessment = create_assessment(company=company, started_by=Side.COMPANY, expert=expert, **fields)
    if stage == "inviting":
        return assessment
    assessment.join()
    if stage == "self_check":
        return assessment
    assessment.rows.update(result=SheetRow.Result.DONE, company_comment="対応済みです")
    assessment.submit_self_check()
    if stage == "expert_review":
        return assessment
    rows = list(assessment.rows.order_by("middle__number"))
    for i, row in enumerate(rows):
        row.evaluation = SheetRow.Evaluation.IMPROVE if i in (5, 6) else SheetRow.Evaluation.CONFORM
        row.procedures = [SheetRow.Procedure.DOCUMENTS.value]
        row.expert_comment = f"コメント{i}"
        row.save()
    submit_review(assessment=assessment)
    assessment.refresh_from_db()
    return assessment


def hold_meetings(assessment, *, days_ago=(30, 15, 1)):
    today = datetime.date.today()
    for number, days in enumerate(days_ago, start=1):
        Meeting.objects.filter(assessment=assessment, number=number).update(
            date=today - datetime.timedelta(days=days),
            start_time=datetime.time(14),
            end_time=datetime.time(17),
            attendees="代表取締役社長 情報太郎",
        )
