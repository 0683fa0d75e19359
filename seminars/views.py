from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from config import forms as site_forms
from config.access import Role, grant_access
from config.ratelimit import ACCOUNT, TOO_MANY, limit, over_limit
from config.spreadsheets import csv_response
from supporters.models import Supporter

from . import charts, services
from . import registrations as registrations_report
from .forms import ApplicationForm, AttendanceImportForm, SurveyForm
from .ical import event_calendar
from .models import Application, Event, FaqEntry, PendingApplication, Survey

SESSION_APPLIED = "seminars_applied"
SESSION_PENDING = "seminars_pending"


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _crumbs(*items):
    return [("トップ", reverse("supporters:home")), ("セミナー", reverse("seminars:list")), *items]


def staff_only(permission: str):
    """IPA staff with the second factor and ``permission``."""
    return grant_access(Role.STAFF, permission=permission)


public = grant_access(Role.PUBLIC)
# Reached by the applicant's own link or session: about one person.
personal = grant_access(Role.PUBLIC, personal=True)


def _public_event(slug) -> Event:
    return get_object_or_404(Event.objects.public().with_counts(), slug=slug)


# Public pages -------------------------------------------------------------------


@public
@require_safe
def event_list(request):
    events = Event.objects.public().with_counts()
    return render(
        request,
        "seminars/list.html",
        {
            "upcoming": list(events.upcoming()),
            "past": list(events.past()),
            "breadcrumbs": [("トップ", reverse("supporters:home")), ("セミナー", None)],
        },
    )


@public
@require_safe
def event_detail(request, slug):
    event = get_object_or_404(
        Event.objects.public()
        .with_counts()
        .prefetch_related(
            "programme",
            "speakers",
            "materials",
            Prefetch("faq_entries", queryset=FaqEntry.objects.filter(is_published=True), to_attr="published_faq"),
        ),
        slug=slug,
    )
    return render(
        request,
        "seminars/detail.html",
        {
            "event": event,
            "closed_reason": event.accepting_reason(),
            "breadcrumbs": _crumbs((event.title, None)),
        },
    )


@public
@require_safe
def event_ics(request, slug):
    event = _public_event(slug)
    body = event_calendar(event, url=request.build_absolute_uri(event.get_absolute_url()), host=request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


def _own_entry(request) -> Supporter | None:
    """The signed-in user's listed entry: the account proves who applies to a 掲載者のみ event."""
    if not request.user.is_authenticated:
        return None
    return Supporter.objects.published().filter(user=request.user).order_by("registration_no").first()


def _initial(request, entry) -> dict:
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "name": entry.name if entry else f"{user.last_name} {user.first_name}".strip(),
        "name_kana": entry.name_kana if entry else "",
        "email": user.email,
    }


def _mailed_to(form) -> str:
    """The address this application's mail goes to: typed, or the listed entry's own."""
    if form.confirms_by_mail:
        return form.supporter.contact_address or ""
    return form.cleaned_data["email"]


@public
@require_http_methods(["GET", "HEAD", "POST"])
@limit("seminar-apply", rate="10/m")
def apply(request, slug):
    event = _public_event(slug)
    closed_reason = event.accepting_reason()
    entry = _own_entry(request)
    form = ApplicationForm(request.POST or None, event=event, entry=entry, initial=_initial(request, entry))
    status = 200
    if request.method == "POST" and not closed_reason:
        if form.is_valid() and over_limit(request, "seminar-apply-address", rate="5/h", value=_mailed_to(form)):
            form.add_error("registration_no" if form.confirms_by_mail else "email", TOO_MANY)
        elif form.is_valid():
            try:
                if form.confirms_by_mail:
                    pending = services.request_confirmation(
                        event=event, supporter=form.supporter, data=form.application_data(), base_url=_base_url(request)
                    )
                    request.session[SESSION_PENDING] = pending.pk
                    return redirect("seminars:confirm-sent", slug=event.slug)
                application = services.apply(event_id=event.pk, data=form.application_data())
            except services.ApplicationRefused as exc:
                form.add_error(exc.field, exc.message)
            else:
                services.send_application_mail(application, base_url=_base_url(request))
                request.session[SESSION_APPLIED] = application.pk
                return redirect("seminars:applied", slug=event.slug)
        status = 400
    return render(
        request,
        "seminars/apply.html",
        {
            "event": event,
            "form": form,
            "entry": entry,
            "closed_reason": closed_reason,
            "breadcrumbs": _crumbs((event.title, event.get_absolute_url()), ("申込", None)),
        },
        status=status,
    )


@personal
@require_safe
def confirm_sent(request, slug):
    """After a 掲載者のみ application by 登録番号: where the confirmation link went."""
    pending = get_object_or_404(
        PendingApplication.objects.select_related("event"), pk=request.session.get(SESSION_PENDING), event__slug=slug
    )
    return render(
        request,
        "seminars/confirm_sent.html",
        {
            "pending": pending,
            "event": pending.event,
            "breadcrumbs": _crumbs((pending.event.title, pending.event.get_absolute_url()), ("確認メール", None)),
        },
    )


@personal
@require_http_methods(["GET", "HEAD", "POST"])
@limit("seminar-apply", rate="10/m")
def confirm(request, token):
    """The e-mailed link: shows the held application; 「申込を確定する」 makes it.

    Opening the link changes nothing (mail scanners open links too); only the
    button does."""
    pending = services.pending_from_token(token)
    if pending is None:
        raise Http404("リンクが正しくありません。")
    event = pending.event
    context = {
        "pending": pending,
        "event": Event.objects.with_counts().get(pk=event.pk),
        "breadcrumbs": _crumbs((event.title, event.get_absolute_url()), ("申込の確定", None)),
    }
    if request.method == "POST":
        try:
            application = services.confirm_pending(pending=pending)
        except services.ApplicationRefused as exc:
            context["refused"] = exc.message
            return render(request, "seminars/confirm.html", context, status=409)
        services.send_application_mail(application, base_url=_base_url(request))
        request.session[SESSION_APPLIED] = application.pk
        return redirect("seminars:applied", slug=event.slug)
    if not pending.is_open:
        context["refused"] = (
            "このリンクはすでに使われたか、有効期限(24時間)が切れています。もう一度お申し込みください。"
        )
    return render(request, "seminars/confirm.html", context, status=200 if pending.is_open else 410)


@personal
@require_safe
def applied(request, slug):
    pk = request.session.get(SESSION_APPLIED)
    application = get_object_or_404(Application.objects.select_related("event"), pk=pk, event__slug=slug)
    return render(
        request,
        "seminars/applied.html",
        {
            "application": application,
            "event": application.event,
            "breadcrumbs": _crumbs((application.event.title, application.event.get_absolute_url()), ("申込完了", None)),
        },
    )


@personal
@require_http_methods(["GET", "HEAD", "POST"])
@limit("seminar-cancel", rate="20/h")
def application(request, token):
    """The applicant's own page, reached by the signed link in the e-mail."""
    application = services.application_from_token(token)
    if application is None:
        raise Http404("リンクが正しくないか、期限が切れています。")
    event = application.event
    if request.method == "POST":
        if event.is_past:
            messages.error(request, "終了したイベントの申込は取り消せません。")
        elif application.status != Application.Status.CANCELLED:
            for promoted in services.cancel_application(application_id=application.pk):
                services.send_promotion_mail(promoted, base_url=_base_url(request))
            messages.success(request, "申込を取り消しました。ご連絡ありがとうございました。")
        return redirect("seminars:application", token=token)
    waiting_position = None
    if application.status == Application.Status.WAITLISTED:
        waiting_position = (
            list(event.applications.waiting_line().values_list("pk", flat=True)).index(application.pk) + 1
        )
    return render(
        request,
        "seminars/application.html",
        {
            "application": application,
            "event": event,
            "waiting_position": waiting_position,
            "show_join_url": application.status == Application.Status.CONFIRMED and not event.is_past,
            "breadcrumbs": _crumbs((event.title, event.get_absolute_url()), ("申込内容", None)),
        },
    )


@public
@require_safe
def material(request, slug, pk):
    event = _public_event(slug)
    item = get_object_or_404(event.materials, pk=pk)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404("資料が見つかりません。") from None
    return FileResponse(handle, as_attachment=True, filename=f"{item.title}.pdf", content_type="application/pdf")


@public
@require_safe
def faq(request):
    entries = list(
        FaqEntry.objects.filter(is_published=True)
        .exclude(event__status=Event.Status.DRAFT)
        .select_related("event")
        .order_by("event__starts_at", "order", "id")
    )
    general = [e for e in entries if e.event_id is None]
    by_event: dict = {}
    for entry in entries:
        if entry.event_id:
            by_event.setdefault(entry.event, []).append(entry)
    return render(
        request,
        "seminars/faq.html",
        {"general": general, "by_event": list(by_event.items()), "breadcrumbs": _crumbs(("よくある質問", None))},
    )


# Surveys -----------------------------------------------------------------------------


def _survey_page(request, survey: Survey, application=None):
    event = survey.event
    context = {
        "survey": survey,
        "event": event,
        "breadcrumbs": _crumbs((event.title, event.get_absolute_url()), ("アンケート", None)),
    }
    if not survey.is_open:
        return render(request, "seminars/survey_closed.html", context)
    if application is not None and hasattr(application, "survey_response"):
        context["already"] = True
        return render(request, "seminars/survey_closed.html", context)
    form = SurveyForm(request.POST or None, questions=survey.questions.all())
    if request.method == "POST":
        if form.is_valid():
            try:
                services.submit_response(survey=survey, answers=form.answers(), application=application)
            except services.ApplicationRefused:
                context["already"] = True
                return render(request, "seminars/survey_closed.html", context)
            return render(request, "seminars/survey_thanks.html", context)
        context["form"] = form
        return render(request, "seminars/survey.html", context, status=400)
    context["form"] = form
    return render(request, "seminars/survey.html", context)


@personal
@require_http_methods(["GET", "HEAD", "POST"])
@limit("survey", rate="20/m")
def survey_personal(request, token):
    application = services.application_from_survey_token(token)
    if application is None or application.status != Application.Status.CONFIRMED:
        raise Http404("リンクが正しくないか、期限が切れています。")
    survey = get_object_or_404(
        Survey.objects.select_related("event"), event=application.event, mode=Survey.Mode.PERSONAL
    )
    return _survey_page(request, survey, application)


@public
@require_http_methods(["GET", "HEAD", "POST"])
@limit("survey", rate="20/m")
def survey_anonymous(request, key):
    survey = get_object_or_404(Survey.objects.select_related("event"), anonymous_key=key, mode=Survey.Mode.ANONYMOUS)
    return _survey_page(request, survey)


# Staff ----------------------------------------------------------------------------------


@staff_only("seminars.view_application")
@require_safe
def report(request):
    groups, upcoming = services.attendance_report()
    surveys = Survey.objects.select_related("event").order_by("event__starts_at")
    return render(
        request,
        "seminars/report.html",
        {"groups": groups, "upcoming": upcoming, "surveys": surveys, "breadcrumbs": _crumbs(("実施報告", None))},
    )


@staff_only("seminars.view_reminder")
@require_safe
def registrations(request):
    """新規登録件数推移: new entries week by week in a fiscal year, registration mails marked."""
    years = registrations_report.fiscal_years()
    known = {fy.year for fy in years}
    asked = request.GET.get("year", "")
    if asked.isdigit() and int(asked) in known:
        year = int(asked)
    else:
        year = years[0].year if years else registrations_report.fiscal_year(timezone.localdate())
    return render(
        request,
        "seminars/registrations.html",
        {
            "years": years,
            "year": year,
            "year_label": registrations_report.fiscal_label(year),
            "chart": registrations_report.weekly_chart(year),
            "breadcrumbs": _crumbs(("実施報告", reverse("seminars:report")), ("新規登録件数推移", None)),
        },
    )


@staff_only("seminars.view_response")
@require_safe
def survey_results(request, pk):
    survey = get_object_or_404(Survey.objects.select_related("event"), pk=pk)
    results = charts.survey_results(survey)
    return render(
        request,
        "seminars/survey_results.html",
        {
            "survey": survey,
            "results": results,
            "breadcrumbs": _crumbs(
                ("実施報告", reverse("seminars:report")), (f"アンケート結果: {survey.event.title}", None)
            ),
        },
    )


@staff_only("seminars.view_response")
@require_safe
def survey_csv(request, pk):
    survey = get_object_or_404(Survey.objects.select_related("event"), pk=pk)
    header, rows = charts.survey_table(survey)
    return csv_response(f"survey-{survey.event.slug}.csv", header, rows)


@staff_only("seminars.change_application")
@require_http_methods(["GET", "HEAD", "POST"])
def attendance_import(request, slug):
    event = get_object_or_404(Event, slug=slug)
    form = AttendanceImportForm(request.POST or None, request.FILES or None)
    errors = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                count = services.import_attendance(event=event, rows=form.cleaned_data["file"])
            except services.AttendanceRefused as exc:
                errors = exc.errors
            else:
                messages.success(request, f"{count}件の申込を出席にしました。")
                return redirect("seminars:attendance-import", slug=event.slug)
        status = 400
    return render(
        request,
        "seminars/attendance_import.html",
        {
            "event": event,
            "form": form,
            "errors": errors,
            "breadcrumbs": _crumbs(("実施報告", reverse("seminars:report")), (f"出席者の取込: {event.title}", None)),
        },
        status=status,
    )


@staff_only("seminars.add_reminder")
@require_safe
def follow_up(request):
    candidates = services.follow_up_candidates()
    outcomes = list(services.reminder_outcomes())
    return render(
        request,
        "seminars/follow_up.html",
        {
            "candidates": candidates,
            "unsent": sum(1 for c in candidates if c.reminded_at is None),
            "reminded": len(outcomes),
            "applied": sum(1 for r in outcomes if r.applied),
            "breadcrumbs": _crumbs(("実施報告", reverse("seminars:report")), ("登録フォローアップ", None)),
        },
    )


# Bulk sends: a confirmation page says how many people will be mailed; the
# mail is queued (config/mail.py), never sent in the request.


class BulkSendForm(site_forms.Form):
    # The number the confirmation page showed: if it changed meanwhile, ask again.
    count = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


def _bulk_send(request, *, recipients, send, back: str, title: str, what: str, breadcrumbs):
    form = BulkSendForm(request.POST or None, initial={"count": len(recipients)})
    status = 200
    if request.method == "POST" and form.is_valid():
        if not recipients:
            messages.info(request, "新たに送る相手はいません。")
            return redirect(back)
        if form.cleaned_data["count"] == len(recipients):
            count = send()
            messages.success(
                request,
                f"{count}名への{what}を送信待ちにしました。数分以内に順に送信されます"
                "(送信の状況は管理画面の「送信メール」で確かめられます)。",
            )
            return redirect(back)
        form = BulkSendForm(initial={"count": len(recipients)})
        messages.warning(
            request,
            f"確認の後に対象者が変わりました(いまは{len(recipients)}名です)。もう一度確かめてから送信してください。",
        )
        status = 409
    return render(
        request,
        "seminars/bulk_send.html",
        {
            "form": form,
            "recipients": recipients,
            "title": title,
            "what": what,
            "back": back,
            "breadcrumbs": breadcrumbs,
        },
        status=status,
    )


@staff_only("seminars.add_reminder")
@require_http_methods(["GET", "HEAD", "POST"])
@limit("bulk-send", rate="20/h", key=ACCOUNT)
def follow_up_send(request):
    back = reverse("seminars:follow-up")
    return _bulk_send(
        request,
        recipients=[(c.name, c.email) for c in services.unreminded_candidates()],
        send=lambda: services.send_reminders(sent_by=request.user, base_url=_base_url(request)),
        back=back,
        title="リマインドメールの送信",
        what="リマインドメール",
        breadcrumbs=_crumbs(
            ("実施報告", reverse("seminars:report")), ("登録フォローアップ", back), ("リマインドメールの送信", None)
        ),
    )


@staff_only("seminars.change_survey")
@require_http_methods(["GET", "HEAD", "POST"])
@limit("bulk-send", rate="20/h", key=ACCOUNT)
def survey_send(request, pk):
    survey = get_object_or_404(Survey.objects.select_related("event"), pk=pk)
    back = reverse("seminars:survey-results", args=[survey.pk])
    if survey.mode != Survey.Mode.PERSONAL or not survey.is_open:
        messages.error(
            request,
            "依頼メールを送れるのは、回答受付中で回答方法が「個人別リンク」のアンケートだけです。管理画面で設定を確かめてください。",
        )
        return redirect(back)
    return _bulk_send(
        request,
        recipients=[(a.name, a.email) for a in services.survey_request_targets(survey)],
        send=lambda: services.send_survey_requests(survey=survey, base_url=_base_url(request)),
        back=back,
        title=f"アンケート依頼メールの送信: {survey.event.title}",
        what="アンケート依頼メール",
        breadcrumbs=_crumbs(
            ("実施報告", reverse("seminars:report")),
            (f"アンケート結果: {survey.event.title}", back),
            ("依頼メールの送信", None),
        ),
    )
