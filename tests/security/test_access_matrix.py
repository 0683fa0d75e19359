"""Every URL of every app × every role, on the demo data.

Each URL declares who may see it (200) and who may not (never 200: a redirect
to the login page, 404, 403 or 405). A URL added without an entry here fails
the test, so the matrix keeps covering the whole site.
"""

import io

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

from assessments.models import Assessment
from seminars.models import Survey
from supporters.referrals.models import Referral
from tests.factories import SupporterFactory, UserFactory, login_staff

pytestmark = pytest.mark.django_db

ROLES = ["anon", "company_a", "company_b", "expert_x", "expert_y", "org_member", "staff"]
EVERYONE = set(ROLES)
LOGGED_IN = EVERYONE - {"anon"}

# name → (URL-argument builder key, roles that get 200, roles that must never get 200).
# Roles in neither set may get anything but a server error (e.g. a redirect to their own page).
PUBLIC = (EVERYONE, set())
MATRIX = {
    "healthz": PUBLIC,
    "login": PUBLIC,
    "signup": ({"anon"}, set()),
    "verify": (set(), EVERYONE),  # an invalid link never opens anything
    "two-factor-setup": ({"company_a", "expert_x", "org_member"}, {"anon"}),
    "two-factor-verify": ({"staff"}, {"anon"}),
    "logout": (set(), EVERYONE),  # POST only
    "password_change": (LOGGED_IN, {"anon"}),
    "password_change_done": (LOGGED_IN, {"anon"}),
    "password_reset": PUBLIC,
    "password_reset_done": PUBLIC,
    "password_reset_confirm": PUBLIC,  # the page says the link is invalid
    "password_reset_complete": PUBLIC,
    "supporters:home": PUBLIC,
    "supporters:help": PUBLIC,
    "supporters:list": PUBLIC,
    "supporters:export-csv": PUBLIC,
    "supporters:export-json": PUBLIC,
    "supporters:detail": PUBLIC,
    "supporters:contact": (set(), EVERYONE),  # POST only
    "supporters:apply": ({"company_a"}, {"anon"}),
    "supporters:mine": ({"expert_x"}, {"anon"}),
    # The demo expert's change is under review, so their edit page sends them back to their page.
    "supporters:edit": (set(), {"anon", "company_a", "org_member"}),
    "supporters:confirm": (set(), EVERYONE),  # POST only
    "supporters:withdraw-change": (set(), EVERYONE),  # POST only
    "supporters:end": ({"expert_x"}, {"anon", "company_a", "org_member"}),
    "assessments:list": ({"company_a", "company_b", "expert_x"}, {"anon"}),
    "assessments:start": ({"company_a"}, {"anon"}),
    "assessments:start-as-expert": ({"expert_x"}, {"anon", "company_a", "org_member"}),
    "assessments:accept-invitation": (set(), EVERYONE),
    "assessments:decline-invitation": (set(), EVERYONE),
    "assessments:invitation": (set(), LOGGED_IN),
    "assessments:detail": ({"company_a", "expert_x", "staff"}, {"anon", "company_b", "expert_y", "org_member"}),
    "assessments:meetings": (set(), {"anon", "company_b", "expert_y", "org_member"}),
    "assessments:invite": (set(), {"anon", "company_b", "expert_y", "org_member"}),
    "assessments:revoke-invitation": (set(), EVERYONE),
    "assessments:submit-self-check": (set(), EVERYONE),
    "assessments:submit-review": (set(), EVERYONE),
    "assessments:sheet": ({"company_a", "expert_x", "staff"}, {"anon", "company_b", "expert_y", "org_member"}),
    "assessments:sheet-edit": (set(), {"anon", "company_b", "expert_y", "org_member", "staff"}),
    "assessments:sheet-history": ({"company_a", "expert_x", "staff"}, {"anon", "company_b", "expert_y", "org_member"}),
    "assessments:sheet-revision": (set(), {"anon", "company_b", "expert_y", "org_member"}),
    "assessments:sheet-xlsx": ({"company_a", "expert_x", "staff"}, {"anon", "company_b", "expert_y", "org_member"}),
    "assessments:summary": ({"company_a", "expert_x", "staff"}, {"anon", "company_b", "expert_y", "org_member"}),
    "assessments:plan": (set(), {"anon", "company_b", "expert_y", "org_member"}),
    "assessments:plan-edit": (set(), {"anon", "company_b", "expert_y", "org_member", "staff"}),
    "assessments:plan-agree": (set(), EVERYONE),
    "assessments:plan-revise": (set(), EVERYONE),
    "assessments:plan-revision": (set(), {"anon", "company_b", "expert_y", "org_member"}),
    "assessments:plan-xlsx": (set(), {"anon", "company_b", "expert_y", "org_member"}),
    "assessments:plan-revision-xlsx": (set(), {"anon", "company_b", "expert_y", "org_member"}),
    # Company A's users only; everyone else, staff included (they have the admin), gets 404.
    "assessments:company-members": ({"company_a"}, EVERYONE - {"company_a"}),
    "assessments:remove-member": (set(), EVERYONE),  # POST only
    "assessments:revoke-colleague-invitation": (set(), EVERYONE),  # POST only
    "assessments:join-company": (set(), EVERYONE),  # an invalid link never opens anything
    "seminars:list": PUBLIC,
    "seminars:faq": PUBLIC,
    "seminars:report": ({"staff"}, LOGGED_IN - {"staff"} | {"anon"}),
    "seminars:follow-up": ({"staff"}, EVERYONE - {"staff"}),
    "seminars:survey-results": ({"staff"}, EVERYONE - {"staff"}),
    "seminars:survey-csv": ({"staff"}, EVERYONE - {"staff"}),
    "seminars:attendance-import": ({"staff"}, EVERYONE - {"staff"}),
    "seminars:application": (set(), EVERYONE),  # invalid token
    "seminars:survey-personal": (set(), EVERYONE),  # invalid token
    "seminars:survey-anonymous": (set(), EVERYONE),  # unknown key
    "seminars:detail": PUBLIC,
    "seminars:apply": PUBLIC,
    "seminars:applied": (set(), set()),
    "seminars:ics": PUBLIC,
    "seminars:material": (set(), EVERYONE),  # no such material
    "referrals:home": (set(), {"anon", "company_a"}),
    "referrals:case-list": ({"org_member"}, {"anon", "company_a", "company_b", "expert_x", "expert_y"}),
    "referrals:case-create": ({"org_member"}, {"anon", "company_a", "company_b", "expert_x", "expert_y"}),
    "referrals:case-detail": ({"org_member"}, {"anon", "company_a", "company_b", "expert_x", "expert_y"}),
    "referrals:case-edit": ({"org_member"}, {"anon", "company_a", "company_b", "expert_x", "expert_y"}),
    "referrals:case-status": (set(), EVERYONE),  # POST only
    "referrals:shortlist": ({"org_member"}, {"anon", "company_a", "company_b", "expert_x", "expert_y"}),
    "referrals:shortlist-add": (set(), EVERYONE),
    "referrals:entry-move": (set(), EVERYONE),
    "referrals:entry-remove": (set(), EVERYONE),
    "referrals:entry-reason": ({"org_member"}, EVERYONE - {"org_member"}),
    "referrals:entry-refer": (set(), EVERYONE),
    "referrals:sheet": ({"org_member"}, {"anon", "company_a", "company_b", "expert_x", "expert_y"}),
    "referrals:case-referral": ({"org_member"}, {"anon", "company_a", "company_b", "expert_x", "expert_y"}),
    "referrals:inbox": ({"expert_x"}, {"anon", "company_a", "company_b", "org_member"}),
    "referrals:inbox-detail": ({"expert_x"}, {"anon", "company_a", "company_b", "expert_y", "org_member"}),
    "referrals:flow": ({"staff"}, EVERYONE - {"staff"}),
    "referrals:flow-csv": ({"staff"}, EVERYONE - {"staff"}),
}


def all_url_routes() -> dict[str, str]:
    """URL name → route, for every named URL outside the admin."""

    def walk(patterns, namespace=None, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue  # the admin: staff and second factor (tests/config/test_security.py)
                yield from walk(pattern.url_patterns, pattern.namespace or namespace, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), prefix + str(pattern.pattern)

    return dict(walk(get_resolver().url_patterns))


def test_every_url_is_in_the_matrix():
    assert all_url_routes().keys() - MATRIX.keys() == set()


@pytest.fixture
def world(client):
    call_command("load_demo", stdout=io.StringIO())
    a = Assessment.objects.get(company__members__username="demo-company@example.jp")
    referral = Referral.objects.filter(supporter__user__username="demo-expert@example.jp").select_related("case").first()
    entry = referral.case.shortlist.first()
    survey = Survey.objects.first()
    expert_y = UserFactory(email="expert-y@example.jp")
    SupporterFactory(user=expert_y)
    revision = a.sheet_revisions.first()
    args = {
        "verify": ["invalid-token"],
        "password_reset_confirm": ["MQ", "set-password"],
        "supporters:detail": ["000020"],
        "supporters:contact": ["000020"],
        "assessments:accept-invitation": [999999],
        "assessments:decline-invitation": [999999],
        "assessments:invitation": ["not-a-token"],
        "assessments:revoke-invitation": [a.pk, 999999],
        "assessments:company-members": [a.company.pk],
        "assessments:remove-member": [a.company.pk, a.company.members.first().pk],
        "assessments:revoke-colleague-invitation": [a.company.pk, 999999],
        "assessments:join-company": ["not-a-token"],
        "assessments:sheet-revision": [a.pk, revision.pk if revision else 999999],
        "assessments:plan-revision": [a.pk, 1],
        "assessments:plan-revision-xlsx": [a.pk, 1],
        "seminars:survey-results": [survey.pk],
        "seminars:survey-csv": [survey.pk],
        "seminars:attendance-import": ["seminar-2025-1"],
        "seminars:application": ["bad-token"],
        "seminars:survey-personal": ["bad-token"],
        "seminars:survey-anonymous": ["00000000-0000-0000-0000-000000000000"],
        "seminars:detail": ["seminar-next"],
        "seminars:apply": ["seminar-next"],
        "seminars:applied": ["seminar-next"],
        "seminars:ics": ["seminar-next"],
        "seminars:material": ["seminar-next", 999999],
        "referrals:case-referral": [referral.case.pk, referral.pk],
        "referrals:inbox-detail": [referral.pk],
    }
    for name, route in all_url_routes().items():
        if name in args or "<int:pk>" not in route:
            continue
        if name.startswith("assessments:"):
            args[name] = [a.pk]
        elif name.startswith("referrals:"):
            args[name] = [referral.case.pk] + ([entry.pk] if "entry_pk" in route else [])
    users = {
        "company_a": "demo-company@example.jp",
        "company_b": "demo-company2@example.jp",
        "expert_x": "demo-expert@example.jp",
        "expert_y": "expert-y@example.jp",
        "org_member": "demo-chamber@example.jp",
        "staff": "demo-staff@example.jp",
    }
    return args, users


def test_every_role_gets_what_the_access_rules_say(client, world):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    args, users = world
    problems = []
    for role in ROLES:
        client.logout()
        if role == "staff":
            login_staff(client, get_user_model().objects.get(username=users["staff"]))
        elif role != "anon":
            client.force_login(get_user_model().objects.get(username=users[role]))
        for name, (allowed, denied) in MATRIX.items():
            url = reverse(name, args=args.get(name, []))
            response = client.get(url)
            status = response.status_code
            if status >= 500:
                problems.append(f"{role} {url}: {status}")
            elif role in allowed and status != 200:
                problems.append(f"{role} {url}: {status}, expected 200")
            elif role in denied and status == 200:
                problems.append(f"{role} {url}: 200, expected a refusal")
    assert problems == [], "\n".join(problems)
