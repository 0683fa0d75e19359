"""Where each person starts after logging in, and the menu of what they can use.

The kernel imports no app (docs/decisions/0600), so the apps tell it, in
their ``AppConfig.ready``, what they offer and to whom (docs/decisions/0700):

- ``register_role_probe(role, probe)``: ``probe(user_pk)`` is an ``Exists``
  expression saying whether the user holds ``role`` somewhere (the expert of
  some entry, a user of some company, a member of some organisation). All
  probes of a request are answered by one query, only for a signed-in user and
  only when the menu or the start page is asked for.
- ``register_menu_item(MenuItem(...))``: a link in the site menu and who sees it.
- ``register_start_page(StartPage(...))``: the page a role lands on after login.
- ``register_staff_task(StaffTask(...))``: work waiting for IPA staff, with a
  count, shown on the admin's front page.

``held_roles(request)`` is the set of roles (``config.access.Role`` values,
plus ``STAFF_ACCOUNT`` for a staff account that has not passed the second
factor yet) the menu and the start page are decided by. It only chooses what
to show: every page still checks its own access rule.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError
from django.shortcuts import redirect, resolve_url
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, get_script_prefix, reverse

from .access import Role, grant_access, is_staff

logger = logging.getLogger(__name__)

# A staff account signed in with its password only (the second factor is still to come).
STAFF_ACCOUNT = "staff_account"

Held = frozenset[str]


def url_of(url_name: str, *args: str) -> str:
    """``reverse(url_name, args=args)``, reversed once per process for each.

    For links drawn on every page (the menu, the list's own links) or for every
    entry of a long list (an entry's detail page, twice per row and card).
    """
    return _reversed(get_script_prefix(), url_name, args)


def url_under(script_prefix: str, url_name: str, *args: str) -> str:
    """``url_of`` for a page that has read the site's path (``get_script_prefix()``)
    once for all its links: each read of it cost 1.5 µs (config/jinja2.py's ``page_links``)."""
    return _reversed(script_prefix, url_name, args)


@functools.lru_cache(maxsize=65_536)  # every entry of the directory, a few MB at most
def _reversed(script_prefix: str, url_name: str, args: tuple[str, ...]) -> str:
    # URL patterns do not change while a process runs, and the prefix (the
    # site's path behind a proxy) is part of the key.
    return reverse(url_name, args=args)


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    order: int
    # Who sees the link, from the roles the user holds.
    visible: Callable[[Held], bool]
    # The link is the current page for these view names, or any view in these namespaces ("seminars:").
    current_for: tuple[str, ...] = ()

    def url(self) -> str:
        return url_of(self.url_name)

    def is_current(self, view_name: str | None) -> bool:
        if view_name is None:
            return False
        names = self.current_for or (self.url_name,)
        return any(view_name == name or (name.endswith(":") and view_name.startswith(name)) for name in names)


@dataclass(frozen=True)
class StartPage:
    role: str
    url_name: str
    # Lower comes first when a user holds several roles.
    priority: int


@dataclass(frozen=True)
class StaffTask:
    label: str
    url_name: str
    count: Callable[[], int]
    order: int = 100
    permission: str | None = None
    # Appended to the URL, e.g. a list filter ("?account=unclaimed").
    query: str = ""


@dataclass
class Registry:
    probes: dict[str, Callable] = field(default_factory=dict)
    menu: list[MenuItem] = field(default_factory=list)
    start_pages: list[StartPage] = field(default_factory=list)
    staff_tasks: list[StaffTask] = field(default_factory=list)


registry = Registry()


def register_role_probe(role: str, probe: Callable) -> None:
    registry.probes[str(role)] = probe


def register_menu_item(item: MenuItem) -> None:
    registry.menu = sorted([*(i for i in registry.menu if i.url_name != item.url_name), item], key=lambda i: i.order)


def register_start_page(page: StartPage) -> None:
    others = [p for p in registry.start_pages if p.role != page.role]
    registry.start_pages = sorted([*others, page], key=lambda p: p.priority)


def register_staff_task(task: StaffTask) -> None:
    tasks = [t for t in registry.staff_tasks if t.label != task.label]
    registry.staff_tasks = sorted([*tasks, task], key=lambda t: t.order)


def _probe(user) -> set[str]:
    """The app roles ``user`` holds anywhere: one query for every registered probe."""
    if not registry.probes:
        return set()
    annotations = {f"holds_{i}": probe(user.pk) for i, probe in enumerate(registry.probes.values())}
    row = get_user_model().objects.filter(pk=user.pk).annotate(**annotations).values(*annotations).first() or {}
    return {role for i, role in enumerate(registry.probes) if row.get(f"holds_{i}")}


def held_roles(request) -> Held:
    """The roles the menu and the start page are chosen by (cached on the request)."""
    cached = getattr(request, "_held_roles", None)
    if cached is not None:
        return cached
    held = {Role.PUBLIC}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        held.add(Role.SIGNED_IN)
        if is_staff(request):
            held.add(Role.STAFF)
        elif user.is_staff and user.is_active:
            held.add(STAFF_ACCOUNT)
        held |= _probe(user)
    request._held_roles = frozenset(held)
    return request._held_roles


def menu_for(request) -> list[dict]:
    """The menu links this request's user can use, each marked current or not."""
    try:
        held = held_roles(request)
    except DatabaseError:  # the error pages must render even without a database
        logger.exception("menu: roles unavailable")
        held = frozenset({Role.PUBLIC})
    match = getattr(request, "resolver_match", None)
    return list(_menu(tuple(registry.menu), held, match.view_name if match else None, get_script_prefix()))


@functools.lru_cache(maxsize=1024)
def _menu(registered: tuple[MenuItem, ...], held: Held, view_name: str | None, script_prefix: str) -> tuple[dict, ...]:
    # Every page draws the menu, and it depends on nothing else.
    items = []
    for item in registered:
        if not item.visible(held):
            continue
        try:
            url = item.url()
        except NoReverseMatch:
            logger.error("menu item %s names no URL", item.url_name)
            continue
        items.append({"label": item.label, "url": url, "current": item.is_current(view_name)})
    return tuple(items)


def site_nav(request) -> str:
    """The layout's menu (templates/_site_nav.html: the links this request's
    user can use, and login or logout).

    A visitor who is not signed in sees the same menu on every page of a
    view, so it is rendered once per process for each view (every time under
    DEBUG, so that template edits show at once): on a list page nobody asked
    for before, drawing it was a tenth of the time. A signed-in user's menu
    holds a CSRF token and is drawn each time.
    """
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else None
    login_current = bool(match) and match.url_name == "login"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context = {"items": menu_for(request), "signed_in": True, "login_current": login_current}
        return render_to_string("_site_nav.html", context, request=request)
    drawn = _anonymous_nav.__wrapped__ if settings.DEBUG else _anonymous_nav
    return drawn(tuple(registry.menu), view_name, login_current, get_script_prefix())


@functools.lru_cache(maxsize=1024)
def _anonymous_nav(registered: tuple[MenuItem, ...], view_name: str | None, login_current: bool, prefix: str) -> str:
    items = _menu(registered, frozenset({Role.PUBLIC}), view_name, prefix)
    return render_to_string("_site_nav.html", {"items": items, "signed_in": False, "login_current": login_current})


def start_url(request) -> str:
    held = held_roles(request)
    for page in registry.start_pages:
        if page.role in held:
            return reverse(page.url_name)
    return resolve_url(settings.START_PAGE_FALLBACK)


@grant_access(Role.SIGNED_IN)
def start(request):
    """After login: the start page of the user's role (settings.LOGIN_REDIRECT_URL)."""
    return redirect(start_url(request))


def staff_tasks(request) -> list[dict]:
    """Work waiting for staff, with counts, that this staff member may open."""
    tasks = []
    for task in registry.staff_tasks:
        if task.permission and not request.user.has_perm(task.permission):
            continue
        tasks.append({"label": task.label, "url": reverse(task.url_name) + task.query, "count": task.count()})
    return tasks
