from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST, require_safe

from config.access import Role, grant_access, is_staff
from config.accounts import is_unverified
from config.auth import username_for
from config.ratelimit import TOO_MANY, limit_mailing, over_limit
from config.spreadsheets import xlsx_response
from config.transitions import TransitionRefused
from supporters.access import entry_expert, published_expert
from supporters.models import Supporter

from . import access, forms, reports, services
from .models import (
    Assessment,
    Company,
    CompanyInvitation,
    ImprovementPlan,
    Invitation,
    SheetRow,
    Side,
    Stage,
)

# Who may use what (config/access.py): an assessment's pages are its
# company's users', its assigned expert's and staff's; changing it is the
# participants' only. Staff read through the admin permission.
participants = grant_access(Role.COMPANY_MEMBER, Role.ASSIGNED_EXPERT, scope=access.participant)
participants_and_staff = grant_access(
    Role.COMPANY_MEMBER,
    Role.ASSIGNED_EXPERT,
    Role.STAFF,
    scope=access.participant,
    permission="assessments.view_assessment",
)
company_users = grant_access(Role.COMPANY_MEMBER, scope=access.company_member)
by_link = grant_access(Role.PUBLIC, personal=True)


def _crumbs(*items, assessment=None):
    trail = [("トップ", reverse("supporters:home")), ("セキュリティアセスメント", reverse("assessments:list"))]
    if assessment is not None:
        trail.append((str(assessment), assessment.get_absolute_url()))
    return trail + [(label, None) for label in items]


def _visible(request, pk) -> tuple[Assessment, str | None]:
    """The assessment if the user may see it (else 404) and their side."""
    qs = Assessment.objects.visible_to(request.user, staff=is_staff(request)).select_related(
        "company", "expert__user", "catalogue"
    )
    assessment = get_object_or_404(qs, pk=pk)
    return assessment, assessment.side_of(request.user)


def _own(request, pk, *, sides=(Side.COMPANY, Side.EXPERT)) -> tuple[Assessment, str]:
    """As _visible, for actions only a participant (of ``sides``) may take."""
    assessment, side = _visible(request, pk)
    if side not in sides:
        raise Http404("この操作はできません。")
    return assessment, side


def _expert_entry(user):
    return Supporter.objects.published().filter(user=user).order_by("registration_no").first()


# Lists and starting ----------------------------------------------------------


@grant_access(Role.SIGNED_IN)
@require_safe
def assessment_list(request):
    user = request.user
    base = Assessment.objects.with_counts().select_related("company", "expert").order_by("created_at", "pk")
    companies = list(Company.objects.filter(members=user).order_by("name", "pk"))
    own = list(base.filter(company__members=user))
    by_company = [(c, [a for a in own if a.company_id == c.pk]) for c in companies]
    entry = _expert_entry(user)
    context = {
        "by_company": by_company,
        "as_expert": list(base.filter(expert__user=user).order_by("-created_at")),
        "expert_entry": entry,
        "invitations": list(
            Invitation.objects.open()
            .filter(side=Side.EXPERT, supporter__user=user)
            .select_related("assessment__company", "created_by")
        ),
        "all_assessments": list(base.order_by("-created_at")[:200]) if is_staff(request) else None,
        "breadcrumbs": _crumbs()[:-1] + [("セキュリティアセスメント", None)],
    }
    return render(request, "assessments/list.html", context)


@grant_access(Role.SIGNED_IN)
@limit_mailing("assessment-start")
def start(request):
    """A company user starts a self-assessment, optionally inviting an expert."""
    initial = {"expert": request.GET.get("expert", "")[:6]}
    form = forms.CompanyStartForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                company = data.get("company")
                if company is None:
                    company = form.new_company()
                    company.save()
                    company.members.add(request.user)
                assessment = services.create_assessment(
                    company=company,
                    started_by=Side.COMPANY,
                    responsible_title=data["responsible_title"],
                    responsible_name=data["responsible_name"],
                )
                if data["expert"]:
                    services.invite_expert(
                        assessment=assessment,
                        supporter=data["expert"],
                        by=request.user,
                        list_url=request.build_absolute_uri(reverse("assessments:list")),
                    )
        except TransitionRefused as error:
            form.add_error(None, str(error))
        else:
            if data["expert"]:
                messages.success(request, f"アセスメントを始め、{data['expert'].name} さんに招待を送りました。")
            else:
                messages.success(request, "アセスメントを始めました。専門家を招待してください。")
            return redirect(assessment)
    return render(
        request,
        "assessments/start.html",
        {
            "form": form,
            "breadcrumbs": _crumbs("自社のアセスメントを始める"),
            "title": "自社のアセスメントを始める",
        },
    )


def _address_within_limit(request, form) -> bool:
    """An invitation mails the address typed in the form: a few a day per address, whoever sends them."""
    email = form.cleaned_data.get("email")
    if email and over_limit(request, "invite-address", rate="5/d", value=email):
        form.add_error("email", TOO_MANY)
        return False
    return True


def _accept_url(request):
    return lambda token: request.build_absolute_uri(reverse("assessments:invitation", args=[token]))


@grant_access(Role.ENTRY_EXPERT, scope=published_expert, refusal=access.NOT_AN_EXPERT)
@limit_mailing("invite")
def start_as_expert(request):
    """An expert starts an assessment and e-mails the company a link."""
    entry = _expert_entry(request.user)
    form = forms.ExpertStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _address_within_limit(request, form):
        data = form.cleaned_data
        try:
            with transaction.atomic():
                company = form.new_company()
                company.save()
                assessment = services.create_assessment(
                    company=company,
                    started_by=Side.EXPERT,
                    expert=entry,
                    responsible_title=data["responsible_title"],
                    responsible_name=data["responsible_name"],
                )
                services.invite_company(
                    assessment=assessment, email=data["email"], by=request.user, accept_url_for=_accept_url(request)
                )
        except TransitionRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"アセスメントを始め、{data['email']} に招待メールを送りました。")
            return redirect(assessment)
    return render(
        request,
        "assessments/start.html",
        {
            "form": form,
            "breadcrumbs": _crumbs("専門家としてアセスメントを始める"),
            "title": "専門家としてアセスメントを始める",
            "entry": entry,
        },
    )


# One assessment ---------------------------------------------------------------


@participants_and_staff
@require_safe
def detail(request, pk):
    assessment, side = _visible(request, pk)
    context = {
        "assessment": assessment,
        "side": side,
        "meetings": list(assessment.meetings.all()),
        "invitations": list(assessment.invitations.select_related("supporter")),
        "plan": assessment.plans.order_by("-revision").first(),
        "breadcrumbs": _crumbs(str(assessment)),
    }
    return render(request, "assessments/detail.html", context)


@participants
def meetings(request, pk):
    assessment, side = _own(request, pk)
    plan = assessment.plans.order_by("-revision").first()
    agreements = [at for at in (plan.company_agreed_at, plan.expert_agreed_at) if at] if plan else []
    formset = forms.MeetingFormSet(
        request.POST or None,
        queryset=assessment.meetings.all(),
        agreed_since=timezone.localdate(min(agreements)) if agreements else None,
    )
    if assessment.is_locked:
        messages.error(request, "合意済みのアセスメントの打合せ記録は変更できません。")
        return redirect(assessment)
    if request.method == "POST" and formset.is_valid():
        formset.save()
        messages.success(request, "打合せの記録を保存しました。")
        return redirect(assessment)
    return render(
        request,
        "assessments/meetings.html",
        {
            "assessment": assessment,
            "formset": formset,
            "breadcrumbs": _crumbs("打合せの記録", assessment=assessment),
        },
    )


@participants
@limit_mailing("invite")
def invite(request, pk):
    """Invite the other side: a company invites an expert, an expert a company."""
    assessment, side = _own(request, pk)
    if side == Side.COMPANY:
        form_class, done = forms.InviteExpertForm, assessment.expert_id is not None
    else:
        form_class, done = forms.InviteCompanyForm, assessment.company.members.exists()
    if done:
        messages.error(request, "相手はすでに参加しています。")
        return redirect(assessment)
    form = form_class(request.POST or None, initial={"expert": request.GET.get("expert", "")[:6]})
    if request.method == "POST" and form.is_valid() and _address_within_limit(request, form):
        try:
            if side == Side.COMPANY:
                services.invite_expert(
                    assessment=assessment,
                    supporter=form.cleaned_data["expert"],
                    by=request.user,
                    list_url=request.build_absolute_uri(reverse("assessments:list")),
                )
            else:
                services.invite_company(
                    assessment=assessment,
                    email=form.cleaned_data["email"],
                    by=request.user,
                    accept_url_for=_accept_url(request),
                )
        except TransitionRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "招待を送りました。以前の未回答の招待は取り消されました。")
            return redirect(assessment)
    return render(
        request,
        "assessments/invite.html",
        {
            "assessment": assessment,
            "form": form,
            "side": side,
            "breadcrumbs": _crumbs("招待する", assessment=assessment),
        },
    )


@participants
@require_POST
def revoke_invitation(request, pk, invitation_pk):
    assessment, side = _own(request, pk)
    invitation = get_object_or_404(assessment.invitations, pk=invitation_pk)
    try:
        invitation.revoke()
    except TransitionRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "招待を取り消しました。")
    return redirect(assessment)


@grant_access(Role.ENTRY_EXPERT, scope=entry_expert, refusal=access.NOT_AN_EXPERT)
@require_POST
@limit_mailing("assessment-progress")
def respond_expert_invitation(request, invitation_pk, answer):
    invitation = get_object_or_404(
        Invitation.objects.filter(side=Side.EXPERT, supporter__user=request.user).select_related("assessment"),
        pk=invitation_pk,
    )
    try:
        if answer == "accept":
            assessment = services.accept_expert_invitation(invitation=invitation, user=request.user)
        else:
            services.decline_expert_invitation(invitation=invitation, user=request.user)
    except TransitionRefused as error:
        messages.error(request, str(error))
        return redirect("assessments:list")
    if answer == "accept":
        messages.success(request, "招待を承諾しました。第1回の打合せの日程を記録してください。")
        _notify(request, assessment, Side.COMPANY, f"専門家 {assessment.expert.name} さんが招待を承諾しました。")
        return redirect(assessment)
    messages.success(request, "招待をお断りしました。")
    return redirect("assessments:list")


@by_link
def company_invitation(request, token):
    """The e-mailed link: join (logging in or creating an account on the spot)."""
    invitation = (
        Invitation.objects.filter(side=Side.COMPANY, token_hash=Invitation.hash_token(token))
        .select_related("assessment__company", "assessment__expert")
        .first()
    )
    if invitation is None or not invitation.is_open:
        return render(request, "assessments/invitation_closed.html", {"invitation": invitation}, status=404)
    context = {
        "invitation": invitation,
        "assessment": invitation.assessment,
        "breadcrumbs": [("トップ", reverse("supporters:home")), ("アセスメントへの招待", None)],
    }
    user = request.user
    if user.is_authenticated:
        if not _is_invited(user, invitation):
            return _wrong_account(request, context, "assessments/invitation.html")
        form = forms.AcceptCompanyInvitationForm(request.POST or None, user=user, invitation=invitation)
        if request.method == "POST" and form.is_valid():
            return _accept_company(request, invitation, user, form.chosen_company())
        context["form"] = form
        return render(request, "assessments/invitation.html", context)
    return _as_invitee(
        request,
        invitation,
        context,
        "assessments/invitation.html",
        accept=lambda new_user: _accept_company(request, invitation, new_user, None),
    )


def _is_invited(user, invitation) -> bool:
    """An invitation link works only for the address it was sent to."""
    return user.username == username_for(invitation.email)


def _wrong_account(request, context, template):
    """Signed in as someone else: say whose link it is and how to use it."""
    context.update(wrong_account=True, logout_next=request.path)
    return render(request, template, context, status=403)


def _as_invitee(request, invitation, context, template, *, accept):
    """Someone not logged in opened an e-mailed link: log in with the invited
    address's account, or create it on the spot (the link proved the address;
    an earlier sign-up with it that nobody verified does not count, and is
    taken over)."""
    User = get_user_model()
    account = User.objects.filter(username=username_for(invitation.email)).first()
    existing = account is not None and not is_unverified(account)
    form = None if existing else forms.SignupForm(request.POST or None, email=invitation.email)
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                new_user = account or User(username=username_for(invitation.email), email=invitation.email)
                new_user.first_name = form.cleaned_data["first_name"]
                new_user.last_name = form.cleaned_data["last_name"]
                new_user.set_password(form.cleaned_data["password1"])
                new_user.is_active = True
                new_user.save()
        except IntegrityError:
            # The same form submitted twice at once: the other submit made the account.
            existing, form = True, None
        else:
            login(request, new_user, backend="config.auth.EmailBackend")
            return accept(new_user)
    context.update(
        signup_form=form, existing=existing, login_url=f"{reverse('login')}?{urlencode({'next': request.path})}"
    )
    return render(request, template, context)


def _accept_company(request, invitation, user, company):
    try:
        assessment = services.accept_company_invitation(invitation=invitation, user=user, company=company)
    except TransitionRefused as error:
        messages.error(request, str(error))
        return redirect("assessments:list")
    messages.success(request, "アセスメントに参加しました。第1回の打合せの後、企業が記入する欄を記入してください。")
    return redirect(assessment)


@participants
@require_POST
@limit_mailing("assessment-progress")
def submit(request, pk, step):
    """Hand the sheet on: the company's self-check, then the expert's review."""
    side_for_step = {"self-check": Side.COMPANY, "review": Side.EXPERT}
    assessment, side = _own(request, pk, sides=(side_for_step[step],))
    try:
        if step == "self-check":
            assessment.submit_self_check()
            done, news, to_side = (
                "自己評価を提出しました。専門家の評価に進みます。",
                "企業が自己評価を提出しました。評価を記入してください。",
                Side.EXPERT,
            )
        else:
            services.submit_review(assessment=assessment, user=request.user)
            done, news, to_side = (
                "評価を確定しました。改善計画書の下書きを作成しました。",
                "専門家が評価を確定しました。改善計画書の「3. 改善計画案」を記入してください。",
                Side.COMPANY,
            )
    except TransitionRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
        _notify(request, assessment, to_side, news)
    return redirect(assessment)


def _notify(request, assessment, to_side, message):
    services.notify(
        assessment=assessment,
        to_side=to_side,
        message=message,
        url=request.build_absolute_uri(assessment.get_absolute_url()),
    )


# The sheet ---------------------------------------------------------------------


@participants_and_staff
@require_safe
def sheet(request, pk):
    assessment, side = _visible(request, pk)
    rows = reports.sheet_rows(assessment)
    return render(
        request,
        "assessments/sheet.html",
        {
            "assessment": assessment,
            "side": side,
            "rows": rows,
            "glossary": SheetRow.glossary(),
            "can_edit": assessment.can_edit_sheet(side),
            "breadcrumbs": _crumbs("アセスメントシート", assessment=assessment),
        },
    )


@participants
def sheet_edit(request, pk):
    assessment, side = _own(request, pk)
    if not assessment.can_edit_sheet(side):
        messages.error(request, "いまの段階では、シートのこの欄は編集できません。")
        return redirect("assessments:sheet", pk=pk)
    version_field = "company_version" if side == Side.COMPANY else "expert_version"
    rows = reports.sheet_rows(assessment)
    formset_class = forms.sheet_formset_class(side)
    queryset = assessment.rows.select_related("middle").order_by("middle__number")
    stale = False
    if request.method == "POST":
        formset = formset_class(request.POST, queryset=queryset)
        version_form = forms.VersionForm(request.POST)
        if formset.is_valid() and version_form.is_valid():
            try:
                services.save_sheet(
                    assessment=assessment,
                    side=side,
                    formset=formset,
                    version=version_form.cleaned_data["version"],
                    user=request.user,
                )
            except services.StaleEdit as conflict:
                stale = True
                # The user's input stays in the form; the new version makes a
                # second save a deliberate choice after seeing the latest.
                version_form = forms.VersionForm(initial={"version": conflict.current_version})
                rows = reports.sheet_rows(assessment)
            else:
                messages.success(request, "シートを保存しました。")
                return redirect("assessments:sheet", pk=pk)
    else:
        formset = formset_class(queryset=queryset)
        version_form = forms.VersionForm(initial={"version": getattr(assessment, version_field)})
    saved = {row.pk: row for row in rows}
    # A forged row id leaves a form without its row: show it at its position.
    entries = [(form, saved.get(form.instance.pk, row)) for form, row in zip(formset.forms, rows, strict=False)]
    return render(
        request,
        "assessments/sheet_edit.html",
        {
            "assessment": assessment,
            "side": side,
            "formset": formset,
            "entries": entries,
            "glossary": SheetRow.glossary(),
            "version_form": version_form,
            "stale": stale,
            "breadcrumbs": _crumbs("シートを記入する", assessment=assessment),
        },
        status=409 if stale else 200,
    )


@participants_and_staff
@require_safe
def sheet_history(request, pk):
    assessment, side = _visible(request, pk)
    revisions = assessment.sheet_revisions.select_related("saved_by")
    return render(
        request,
        "assessments/sheet_history.html",
        {
            "assessment": assessment,
            "revisions": revisions,
            "breadcrumbs": _crumbs("シートの保存履歴", assessment=assessment),
        },
    )


@participants_and_staff
@require_safe
def sheet_revision(request, pk, revision_pk):
    assessment, side = _visible(request, pk)
    revision = get_object_or_404(assessment.sheet_revisions.select_related("saved_by"), pk=revision_pk)
    rows = reports.sheet_rows(assessment)
    for row in rows:
        # Show the saved side's columns as they were; the other side's are not part of this revision.
        for name, value in revision.data.get(str(row.middle_id), {}).items():
            setattr(row, name, value)
    return render(
        request,
        "assessments/sheet_revision.html",
        {
            "assessment": assessment,
            "revision": revision,
            "rows": rows,
            "breadcrumbs": _crumbs(f"{revision.get_side_display()}の欄 第{revision.version}版", assessment=assessment),
        },
    )


@participants_and_staff
@require_safe
def sheet_xlsx(request, pk):
    assessment, side = _visible(request, pk)
    workbook = reports.sheet_workbook(assessment, reports.sheet_rows(assessment))
    return xlsx_response(workbook, f"assessment-sheet-{assessment.pk}.xlsx")


@participants_and_staff
@require_safe
def summary(request, pk):
    assessment, side = _visible(request, pk)
    result = reports.summarize(reports.sheet_rows(assessment))
    return render(
        request,
        "assessments/summary.html",
        {
            "assessment": assessment,
            "summary": result,
            "chart": reports.chart(result),
            "breadcrumbs": _crumbs("集計", assessment=assessment),
        },
    )


# The improvement plan ---------------------------------------------------------


def _plan(assessment, revision=None) -> ImprovementPlan:
    plans = assessment.plans.prefetch_related("items")
    plan = plans.filter(revision=revision).first() if revision else plans.order_by("-revision").first()
    if plan is None:
        raise Http404("改善計画書はまだありません。")
    return plan


def _plan_context(assessment, plan, **extra):
    meetings = list(assessment.meetings.all())
    return {
        "assessment": assessment,
        "plan": plan,
        "meetings": meetings,
        "revisions": list(assessment.plans.order_by("-revision").values_list("revision", flat=True)),
        **extra,
    }


def _third_meeting(meetings):
    return next((m for m in meetings if m.number == 3), None)


@participants_and_staff
@require_safe
def plan_detail(request, pk, revision=None):
    assessment, side = _visible(request, pk)
    if assessment.stage not in (Stage.PLANNING, Stage.AGREED):
        return render(
            request,
            "assessments/plan_pending.html",
            {
                "assessment": assessment,
                "breadcrumbs": _crumbs("改善計画書", assessment=assessment),
            },
        )
    return _plan_page(request, assessment, side, _plan(assessment, revision))


def _plan_page(request, assessment, side, plan, *, changed=None, status=200):
    """The plan with its agreement panel; ``changed``: a refused agreement (services.PlanChanged)."""
    latest = assessment.plans.order_by("-revision").values_list("revision", flat=True).first()
    context = _plan_context(
        assessment,
        plan,
        side=side,
        is_latest=plan.revision == latest,
        agreed_by_me=bool(side) and plan.agreed_by_side(side),
        changed=changed,
        breadcrumbs=_crumbs(f"改善計画書 第{plan.revision}版", assessment=assessment),
    )
    context["third_meeting"] = _third_meeting(context["meetings"])
    context["agreement_blocker"] = plan.agreement_blocker(context["third_meeting"])
    return render(request, "assessments/plan.html", context, status=status)


@participants
def plan_edit(request, pk):
    assessment, side = _own(request, pk)
    if assessment.stage != Stage.PLANNING:
        raise Http404("改善計画書は編集できる段階ではありません。")
    plan = _plan(assessment)
    form_class = forms.CompanyPlanForm if side == Side.COMPANY else forms.ExpertPlanForm
    data = request.POST if request.method == "POST" else None
    form = form_class(data, instance=plan)
    items = forms.PlanItemFormSet(data, instance=plan, prefix="items") if side == Side.COMPANY else None
    version_form = forms.VersionForm(data, initial={"version": plan.version})
    stale = False
    if data is not None and form.is_valid() and (items is None or items.is_valid()) and version_form.is_valid():
        try:
            services.save_plan(
                plan=plan,
                side=side,
                form=form,
                items_formset=items,
                version=version_form.cleaned_data["version"],
                user=request.user,
            )
        except services.StaleEdit as conflict:
            stale = True
            version_form = forms.VersionForm(initial={"version": conflict.current_version})
        except TransitionRefused as error:
            messages.error(request, str(error))
            return redirect("assessments:plan", pk=pk)
        else:
            messages.success(request, "改善計画書を保存しました。")
            return redirect("assessments:plan", pk=pk)
    latest = ImprovementPlan.objects.prefetch_related("items").get(pk=plan.pk) if stale else None
    return render(
        request,
        "assessments/plan_edit.html",
        _plan_context(
            assessment,
            plan,
            side=side,
            form=form,
            items=items,
            version_form=version_form,
            stale=stale,
            latest=latest,
            breadcrumbs=_crumbs("改善計画書を記入する", assessment=assessment),
        ),
        status=409 if stale else 200,
    )


@participants
@require_POST
@limit_mailing("assessment-progress")
def plan_agree(request, pk):
    assessment, side = _own(request, pk)
    plan = _plan(assessment)
    version_form = forms.VersionForm(request.POST)
    if not version_form.is_valid():
        messages.error(
            request, "どの版に合意するかが分かりませんでした。ページを開き直してから、もう一度合意してください。"
        )
        return redirect("assessments:plan", pk=pk)
    try:
        plan = services.agree_plan(
            plan=plan, side=side, user=request.user, version=version_form.cleaned_data["version"]
        )
    except services.PlanChanged as changed:
        return _plan_page(request, assessment, side, changed.plan, changed=changed, status=409)
    except TransitionRefused as error:
        messages.error(request, str(error))
    else:
        if plan.is_locked:
            messages.success(request, "双方が合意しました。改善計画書を確定しました。")
            other = Side.EXPERT if side == Side.COMPANY else Side.COMPANY
            _notify(request, assessment, other, "双方の合意により、改善計画書が確定しました。")
        else:
            messages.success(request, "合意しました。相手の合意を待っています。")
    return redirect("assessments:plan", pk=pk)


@participants
@require_POST
def plan_revise(request, pk):
    assessment, side = _own(request, pk)
    try:
        new = services.revise_plan(plan=_plan(assessment), user=request.user)
    except TransitionRefused as error:
        messages.error(request, str(error))
        return redirect("assessments:plan", pk=pk)
    messages.success(request, f"改善計画書の第{new.revision}版を作成しました。前の版はそのまま残っています。")
    return redirect("assessments:plan-edit", pk=pk)


@participants_and_staff
@require_safe
def plan_xlsx(request, pk, revision=None):
    assessment, side = _visible(request, pk)
    if assessment.stage not in (Stage.PLANNING, Stage.AGREED):
        raise Http404("改善計画書はまだありません。")
    plan = _plan(assessment, revision)
    return xlsx_response(
        reports.plan_workbook(plan, list(assessment.meetings.all())),
        f"improvement-plan-{assessment.pk}-{plan.revision}.xlsx",
    )


# A company's users ---------------------------------------------------------------


def _member_company(request, pk) -> Company:
    """One of the user's own companies; any other is not found."""
    return get_object_or_404(Company.objects.filter(members=request.user), pk=pk)


@company_users
@limit_mailing("invite")
def company_members(request, pk):
    """Who uses the site for the company, and inviting colleagues."""
    company = _member_company(request, pk)
    form = forms.InviteColleagueForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _address_within_limit(request, form):
        try:
            services.invite_colleague(
                company=company, email=form.cleaned_data["email"], by=request.user, accept_url_for=_join_url(request)
            )
        except TransitionRefused as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, f"{form.cleaned_data['email']} に招待メールを送りました。")
            return redirect("assessments:company-members", pk=company.pk)
    return render(
        request,
        "assessments/company_members.html",
        {
            "company": company,
            "form": form,
            "members": company.members.order_by("last_name", "first_name", "pk"),
            "invitations": company.invitations.open(),
            "breadcrumbs": _crumbs(f"{company.name} の利用者"),
        },
    )


@company_users
@require_POST
def remove_member(request, pk, user_pk):
    company = _member_company(request, pk)
    member = get_object_or_404(company.members, pk=user_pk)
    try:
        services.remove_member(company=company, user=member)
    except TransitionRefused as error:
        messages.error(request, str(error))
        return redirect("assessments:company-members", pk=company.pk)
    if member == request.user:
        messages.success(request, f"{company.name} の利用者から外れました。")
        return redirect("assessments:list")
    messages.success(request, f"{member.get_full_name() or member.email} さんを利用者から外しました。")
    return redirect("assessments:company-members", pk=company.pk)


@company_users
@require_POST
def revoke_colleague_invitation(request, pk, invitation_pk):
    company = _member_company(request, pk)
    invitation = get_object_or_404(company.invitations, pk=invitation_pk)
    try:
        invitation.revoke()
    except TransitionRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{invitation.email} への招待を取り消しました。")
    return redirect("assessments:company-members", pk=company.pk)


def _join_url(request):
    return lambda token: request.build_absolute_uri(reverse("assessments:join-company", args=[token]))


@by_link
def join_company(request, token):
    """The e-mailed link to become one of a company's users."""
    invitation = CompanyInvitation.by_token(token)
    if invitation is None or not invitation.is_open:
        return render(request, "assessments/invitation_closed.html", {"invitation": invitation}, status=404)
    context = {
        "invitation": invitation,
        "company": invitation.company,
        "breadcrumbs": [("トップ", reverse("supporters:home")), (f"{invitation.company.name} への招待", None)],
    }

    def accept(user):
        try:
            company = services.accept_colleague_invitation(invitation=invitation, user=user)
        except TransitionRefused as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{company.name} の利用者になりました。")
        return redirect("assessments:list")

    if request.user.is_authenticated:
        if not _is_invited(request.user, invitation):
            return _wrong_account(request, context, "assessments/join_company.html")
        if request.method == "POST":
            return accept(request.user)
        return render(request, "assessments/join_company.html", context)
    return _as_invitee(request, invitation, context, "assessments/join_company.html", accept=accept)
