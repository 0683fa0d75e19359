"""Workflows that span several models: starting, inviting, saving, agreeing."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.auth import username_for
from config.mail import queue_rendered
from config.transitions import TransitionRefused
from supporters.models import Supporter

from .models import (
    Assessment,
    CatalogueVersion,
    Company,
    CompanyInvitation,
    ImprovementPlan,
    Invitation,
    Meeting,
    PlanItem,
    PlanVersion,
    SheetRevision,
    SheetRow,
    Side,
    plan_changes,
)


class StaleEdit(Exception):
    """Someone saved after this form was opened; nothing was written."""

    def __init__(self, current_version: int):
        super().__init__(current_version)
        self.current_version = current_version


def _mail(*, template: str, to: str, context: dict) -> None:
    queue_rendered(template, context, [to])


def notify(*, assessment: Assessment, to_side: str, message: str, url: str) -> None:
    """Tell the other side, by e-mail, that the engagement moved on."""
    if to_side == Side.COMPANY:
        users = list(assessment.company.members.all())
    else:
        users = [assessment.expert.user] if assessment.expert and assessment.expert.user else []
    for user in users:
        _mail(
            template="assessments/email/progress.txt",
            to=user.email or user.username,
            context={"assessment": assessment, "message": message, "url": url},
        )


@transaction.atomic
def create_assessment(
    *,
    company: Company,
    started_by: str,
    expert: Supporter | None = None,
    responsible_title: str = "",
    responsible_name: str = "",
) -> Assessment:
    """A new assessment on the current catalogue, with its empty sheet and meetings."""
    catalogue = CatalogueVersion.objects.current()
    if catalogue is None:
        raise TransitionRefused("要求事項の版が登録されていません。管理者に連絡してください。")
    assessment = Assessment.objects.create(
        company=company,
        catalogue=catalogue,
        expert=expert,
        started_by=started_by,
        responsible_title=responsible_title,
        responsible_name=responsible_name,
    )
    middles = [m for major in catalogue.majors.prefetch_related("middles") for m in major.middles.all()]
    SheetRow.objects.bulk_create(SheetRow(assessment=assessment, middle=m) for m in middles)
    Meeting.objects.bulk_create(Meeting(assessment=assessment, number=n) for n in (1, 2, 3))
    return assessment


def _issue(*, assessment: Assessment, side: str, by, **fields) -> tuple[Invitation, str]:
    """A new invitation to ``side``; an open earlier one is revoked (one link at a time)."""
    assessment.invitations.open().filter(side=side).update(revoked_at=timezone.now())
    invitation, token = Invitation.new(assessment=assessment, side=side, created_by=by, **fields)
    invitation.save()
    return invitation, token


@transaction.atomic
def invite_expert(*, assessment: Assessment, supporter: Supporter, by, list_url: str) -> Invitation:
    """Invite a published expert with an account; they accept from their page."""
    if assessment.expert_id:
        raise TransitionRefused("このアセスメントにはすでに専門家がいます。")
    if supporter.status != Supporter.Status.PUBLISHED or not supporter.user_id:
        raise TransitionRefused("この専門家は招待できません。")
    invitation, _ = _issue(assessment=assessment, side=Side.EXPERT, by=by, supporter=supporter)
    _mail(
        template="assessments/email/invite_expert.txt",
        to=supporter.user.email or supporter.user.username,
        context={"invitation": invitation, "assessment": assessment, "url": list_url},
    )
    return invitation


@transaction.atomic
def invite_company(*, assessment: Assessment, email: str, by, accept_url_for) -> Invitation:
    """E-mail a single-use link; ``accept_url_for(token)`` makes it absolute."""
    if assessment.company.members.exists():
        raise TransitionRefused("この企業はすでに参加しています。")
    invitation, token = _issue(assessment=assessment, side=Side.COMPANY, by=by, email=email)
    _mail(
        template="assessments/email/invite_company.txt",
        to=email,
        context={"invitation": invitation, "assessment": assessment, "url": accept_url_for(token)},
    )
    return invitation


@transaction.atomic
def invite_colleague(*, company: Company, email: str, by, accept_url_for) -> CompanyInvitation:
    """E-mail a colleague a single-use link to become one of the company's users."""
    email = email.strip().lower()
    if company.members.filter(username=username_for(email)).exists():
        raise TransitionRefused(f"{email} はすでにこの企業の利用者です。")
    company.invitations.open().filter(email=email).update(revoked_at=timezone.now())
    invitation, token = CompanyInvitation.new(company=company, email=email, created_by=by)
    invitation.save()
    _mail(
        template="assessments/email/invite_colleague.txt",
        to=email,
        context={"invitation": invitation, "company": company, "by": by, "url": accept_url_for(token)},
    )
    return invitation


@transaction.atomic
def accept_colleague_invitation(*, invitation: CompanyInvitation, user) -> Company:
    invitation = CompanyInvitation.objects.select_for_update().get(pk=invitation.pk)
    invitation.mark_accepted(user)
    invitation.company.members.add(user)
    return invitation.company


@transaction.atomic
def remove_member(*, company: Company, user) -> None:
    """Take a user off the company; its assessments always keep someone to answer."""
    members = list(company.members.select_for_update().order_by("pk"))
    if user not in members:
        raise TransitionRefused("この方はこの企業の利用者ではありません。")
    if len(members) == 1:
        raise TransitionRefused("最後の利用者は外せません。先に別の方を招待してください。")
    company.members.remove(user)


@transaction.atomic
def accept_expert_invitation(*, invitation: Invitation, user) -> Assessment:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.side != Side.EXPERT or invitation.supporter.user_id != user.pk:
        raise TransitionRefused("この招待はあなた宛てではありません。")
    invitation.mark_accepted(user)
    assessment = invitation.assessment
    assessment.expert = invitation.supporter
    assessment.save(update_fields=["expert"])
    assessment.join()
    return assessment


@transaction.atomic
def decline_expert_invitation(*, invitation: Invitation, user) -> None:
    if invitation.side != Side.EXPERT or invitation.supporter.user_id != user.pk:
        raise TransitionRefused("この招待はあなた宛てではありません。")
    invitation.revoke()


@transaction.atomic
def accept_company_invitation(*, invitation: Invitation, user, company: Company | None = None) -> Assessment:
    """Join the invited company, or bring the assessment into one of the user's own."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    assessment = invitation.assessment
    if assessment.expert and assessment.expert.user_id == user.pk:
        raise TransitionRefused(
            "担当の専門家ご本人は、企業として参加できません。企業のご担当者にリンクを転送してください。"
        )
    invitation.mark_accepted(user)
    placeholder = assessment.company
    if company is not None and company != placeholder:
        if not company.members.filter(pk=user.pk).exists():
            raise TransitionRefused("選んだ企業の利用者ではありません。")
        assessment.company = company
        assessment.save(update_fields=["company"])
        if not placeholder.members.exists() and not placeholder.assessments.exists():
            placeholder.delete()
    else:
        placeholder.members.add(user)
    assessment.join()
    return assessment


@transaction.atomic
def save_sheet(*, assessment: Assessment, side: str, formset, version: int, user) -> int:
    """Save one side's columns if nobody on that side saved since ``version``; keep a revision.

    The write names only the side's own columns (one UPDATE for every row):
    the formset's rows were read before this transaction, and writing whole
    rows would put back the other side's columns as they were then, undoing
    what the other side saved in between.
    """
    field = "company_version" if side == Side.COMPANY else "expert_version"
    claimed = Assessment.objects.filter(pk=assessment.pk, **{field: version}).update(**{field: F(field) + 1})
    if not claimed:
        raise StaleEdit(Assessment.objects.values_list(field, flat=True).get(pk=assessment.pk))
    columns = SheetRow.COMPANY_FIELDS if side == Side.COMPANY else SheetRow.EXPERT_FIELDS
    rows = [form.instance for form in formset.forms if form.instance.assessment_id == assessment.pk]
    SheetRow.objects.bulk_update(rows, columns)
    data = {
        str(row.middle_id): row.snapshot(side)
        for row in SheetRow.objects.filter(assessment=assessment).only(*columns, "middle")
    }
    SheetRevision.objects.create(assessment=assessment, side=side, version=version + 1, saved_by=user, data=data)
    return version + 1


def improvement_suggestions(assessment: Assessment) -> list[str]:
    """Plan items suggested by the rows the expert marked 改善要."""
    rows = assessment.rows.filter(evaluation=SheetRow.Evaluation.IMPROVE).select_related("middle")
    suggestions = []
    for row in rows:
        comment = row.expert_comment.strip().lstrip("・").strip()
        suggestions.append(f"{row.middle.name}: {comment}" if comment else f"{row.middle.name}の改善")
    return suggestions


@transaction.atomic
def submit_review(*, assessment: Assessment, user=None) -> ImprovementPlan:
    """The expert confirms the evaluation; the first plan is drafted from 改善要 rows."""
    assessment.submit_review()
    plan = ImprovementPlan.objects.create(assessment=assessment, revision=1)
    PlanItem.objects.bulk_create(
        PlanItem(plan=plan, number=n, content=text)
        for n, text in enumerate(improvement_suggestions(assessment), start=1)
    )
    plan.record_version(user)
    return plan


# Each side's part of the plan: the only columns its save writes.
PLAN_FIELDS = {Side.COMPANY: ["created_on"], Side.EXPERT: ["evaluation_summary"]}
AGREEMENT_FIELDS = ["company_agreed_at", "company_agreed_by", "expert_agreed_at", "expert_agreed_by"]


@transaction.atomic
def save_plan(*, plan: ImprovementPlan, side: str, form, items_formset, version: int, user=None) -> None:
    """Save one side's part of the plan if nobody saved since ``version``.

    One version for the whole plan (not one per side, as on the sheet): an
    agreement covers the whole text, so any change after it must be seen.
    """
    if plan.is_locked:
        raise TransitionRefused("合意済みの改善計画書は変更できません。改訂版を作成してください。")
    claimed = ImprovementPlan.objects.filter(pk=plan.pk, version=version).update(version=F("version") + 1)
    if not claimed:
        raise StaleEdit(ImprovementPlan.objects.values_list("version", flat=True).get(pk=plan.pk))
    plan = form.save(commit=False)
    plan.version = version + 1
    plan.clear_agreement()
    plan.save(update_fields=[*PLAN_FIELDS[side], "version", *AGREEMENT_FIELDS])
    if items_formset is not None:
        for offset, item in enumerate(items_formset.save(commit=False)):
            if item.number is None:  # new items go last, in the order posted
                item.number = 10_000 + offset
            item.save()
        for item in items_formset.deleted_objects:
            item.delete()
        for number, item in enumerate(plan.items.order_by("number", "pk"), start=1):
            if item.number != number:
                item.number = number
                item.save(update_fields=["number"])
    # The text as it now stands, read back whole (the other side's part included).
    ImprovementPlan.objects.prefetch_related("items").get(pk=plan.pk).record_version(user)


class PlanChanged(Exception):
    """The plan was saved after the user opened it: agreeing would cover a text they have not seen."""

    def __init__(self, seen: PlanVersion | None, plan: ImprovementPlan):
        super().__init__(plan.version)
        self.seen = seen
        self.plan = plan

    @property
    def changes(self):
        if self.seen is None:
            return []
        return plan_changes(self.seen.data, self.plan.content())


@transaction.atomic
def agree_plan(*, plan: ImprovementPlan, side: str, user, version: int) -> ImprovementPlan:
    """Agree to the plan at ``version``, the one the user saw; refused if it changed since."""
    plan = ImprovementPlan.objects.select_for_update().select_related("assessment").get(pk=plan.pk)
    if plan.version != version:
        seen = plan.versions.filter(version=version).first()
        raise PlanChanged(seen, ImprovementPlan.objects.prefetch_related("items").get(pk=plan.pk))
    plan.agree(side, user, third_meeting=plan.assessment.meetings.filter(number=3).first())
    if plan.is_locked:
        plan.assessment.conclude()
    return plan


@transaction.atomic
def revise_plan(*, plan: ImprovementPlan, user=None) -> ImprovementPlan:
    """A new, unagreed revision copying an agreed one; the old stays as it was."""
    if not plan.is_locked:
        raise TransitionRefused("合意前の改善計画書はそのまま編集できます。")
    if plan.assessment.plans.filter(revision__gt=plan.revision).exists():
        raise TransitionRefused("すでに新しい改訂版があります。")
    new = ImprovementPlan.objects.create(
        assessment=plan.assessment,
        revision=plan.revision + 1,
        evaluation_summary=plan.evaluation_summary,
    )
    PlanItem.objects.bulk_create(
        PlanItem(plan=new, number=i.number, content=i.content, timing=i.timing) for i in plan.items.all()
    )
    new.record_version(user)
    plan.assessment.reopen()
    return new
