"""Who may use each view: declared on the view, and anything undeclared is refused.

One vocabulary for the whole site (docs/decisions/0600). Every view is wrapped
in ``grant_access(...)`` naming the roles that may use it:

- ``PUBLIC``: anyone (token links included: the token is the permission);
- ``SIGNED_IN``: any account;
- ``ENTRY_EXPERT``: the expert whose directory entry it is;
- ``COMPANY_MEMBER``: a user of the company the page is about;
- ``ORGANISATION_MEMBER``: a member of the support organisation;
- ``ASSIGNED_EXPERT``: the expert assigned to the assessment;
- ``STAFF``: IPA staff **who passed the second factor in this session**.

The four roles in the middle depend on the object the URL names; the app that
owns the object passes a ``scope`` function, ``scope(request, **url_kwargs)``,
returning the roles the user holds for it (the kernel imports no app). A
staff account that has not passed the second factor is sent to that step,
then back, before any page that only staff may use. ``AccessPolicyMiddleware``
refuses every view that declares nothing; the admin declares its rule through
``StaffAdminSite.has_permission`` (staff with the second factor, too).

Refusals say why: a page about an object the user has no part in answers 404
(its existence is not disclosed); any other refusal is a 403 page with the
rule's explanation and what to do.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode

logger = logging.getLogger(__name__)


class Role(StrEnum):
    PUBLIC = "public"
    SIGNED_IN = "signed_in"
    ENTRY_EXPERT = "entry_expert"
    COMPANY_MEMBER = "company_member"
    ORGANISATION_MEMBER = "organisation_member"
    ASSIGNED_EXPERT = "assigned_expert"
    STAFF = "staff"


# Roles that hold only for the object a URL names: the app's scope decides.
SCOPED = frozenset({Role.ENTRY_EXPERT, Role.COMPANY_MEMBER, Role.ORGANISATION_MEMBER, Role.ASSIGNED_EXPERT})

Scope = Callable[..., set[Role]]

DEFAULT_REFUSAL = "このページを利用できるのは、対象の方のみです。別のアカウントでログインしている場合は、ログアウトしてからお試しください。"
STAFF_PERMISSION_REFUSAL = "この操作に必要な権限がありません。管理者(IPA)に権限の付与を依頼してください。"


def is_staff(request) -> bool:
    """Staff who passed the second factor in this session: the site's only meaning of "staff".

    ``user.is_staff`` alone names the kind of account (where to send it after
    login); what it may see is decided here.
    """
    user = request.user
    return bool(user.is_authenticated and user.is_active and user.is_staff and user.is_verified())


def second_factor_url(request) -> str:
    """The second-factor step for the signed-in staff account, then back to this page."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    step = (
        "two-factor-verify"
        if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
        else "two-factor-setup"
    )
    return reverse(step) + "?" + urlencode({"next": request.get_full_path()})


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]
    scope: Scope | None = None
    permission: str | None = None
    refusal: str = DEFAULT_REFUSAL
    personal: bool = True

    def check(self, request, kwargs) -> object | None:
        """None when the request may go on; else the response (or exception) that refuses it."""
        if Role.PUBLIC in self.roles:
            return None
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if Role.SIGNED_IN in self.roles:
            return None
        if self.scope is not None and self.scope(request, **kwargs) & self.roles:
            return None
        if Role.STAFF in self.roles and user.is_active and user.is_staff:
            if not user.is_verified():
                return redirect(second_factor_url(request))
            if self.permission is None or user.has_perm(self.permission):
                return None
            return PermissionDenied(STAFF_PERMISSION_REFUSAL)
        if self.scope is not None and kwargs:
            # A page about an object the user has no part in: never disclose that it exists.
            return Http404("ページが見つかりません。")
        return PermissionDenied(self.refusal)


def grant_access(
    *roles: Role,
    scope: Scope | None = None,
    permission: str | None = None,
    refusal: str | None = None,
    personal: bool | None = None,
):
    """Declare who may use a view (see the module docstring).

    ``permission``: the model permission staff also need. ``refusal``: why a
    signed-in user without the role is refused and what to do, in Japanese.
    ``personal``: the response carries personal or confidential content and
    gets ``Cache-Control: private, no-store`` (default: every page that is not
    public; public token pages pass ``personal=True``).
    """
    if not roles:
        raise ValueError("grant_access needs at least one role")
    if SCOPED & set(roles) and scope is None:
        raise ValueError(f"roles {sorted(SCOPED & set(roles))} need a scope function")
    rule = Rule(
        roles=frozenset(roles),
        scope=scope,
        permission=permission,
        refusal=refusal or DEFAULT_REFUSAL,
        personal=(Role.PUBLIC not in roles) if personal is None else personal,
    )

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            refused = rule.check(request, kwargs)
            if isinstance(refused, Exception):
                raise refused
            response = refused if refused is not None else view(request, *args, **kwargs)
            if rule.personal:
                patch_cache_control(response, private=True, no_store=True)
            return response

        wrapped.access_rule = rule
        return wrapped

    return decorator


def rule_of(view) -> Rule | None:
    return getattr(view, "access_rule", None)


class AccessPolicyMiddleware:
    """Refuse any view that does not declare who may use it (deny by default)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if rule_of(view_func) is not None:
            return None
        match = request.resolver_match
        if match is not None and "admin" in match.namespaces:
            return None  # StaffAdminSite.has_permission: staff who passed the second factor
        logger.error("view %s declares no access rule: refused", getattr(match, "view_name", view_func))
        raise PermissionDenied("このページは利用条件が設定されていないため、表示できません。IPAへお知らせください。")
