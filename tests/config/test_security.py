"""Security hardening: CSP, login lock-out, rate limits, a second factor for admin."""

import pytest
from django.core.cache import cache
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, UserFactory, login_staff, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def current_code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_csp_has_no_unsafe_inline(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def csp_of(middleware, request, response):
    middleware.process_request(request)
    return middleware.process_response(request, response)


def test_csp_is_built_once_for_plain_answers_and_equals_django_csps(rf, monkeypatch):
    import csp.middleware
    import csp.utils
    from django.http import HttpResponse

    from config.middleware import CSPMiddleware, _constant_policies

    _constant_policies.cache_clear()
    library = csp_of(csp.middleware.CSPMiddleware(HttpResponse), rf.get("/"), HttpResponse())
    builds = []

    def counted(*args, **kwargs):
        builds.append(kwargs)
        return build_policy(*args, **kwargs)

    build_policy = csp.utils.build_policy
    monkeypatch.setattr(csp.utils, "build_policy", counted)
    monkeypatch.setattr(csp.middleware, "build_policy", counted)
    middleware = CSPMiddleware(HttpResponse)
    answers = [csp_of(middleware, rf.get(path), HttpResponse()) for path in ("/", "/supporters/", "/help/")]
    assert len(builds) == 2  # the policy and the report-only one, once
    for answer in answers:
        assert answer["Content-Security-Policy"] == library["Content-Security-Policy"]
        assert "Content-Security-Policy-Report-Only" not in answer


def test_csp_of_an_answer_with_its_own_policy_or_a_nonce_is_django_csps(rf, settings):
    from csp.constants import NONCE
    from csp.decorators import csp_exempt, csp_update
    from csp.exceptions import CSPNonceError
    from django.http import HttpResponse

    from config.middleware import CSPMiddleware, _constant_policies

    _constant_policies.cache_clear()
    middleware = CSPMiddleware(HttpResponse)
    updated = csp_update({"img-src": "https://example.jp"})(lambda request: HttpResponse())
    assert (
        "img-src 'self' data: https://example.jp"
        in csp_of(middleware, rf.get("/"), updated(None))["Content-Security-Policy"]
    )
    exempt = csp_exempt()(lambda request: HttpResponse())
    assert "Content-Security-Policy" not in csp_of(middleware, rf.get("/"), exempt(None))
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": ["'self'", NONCE]}}
    request = rf.get("/")
    middleware.process_request(request)
    nonce = str(request.csp_nonce)
    assert f"'nonce-{nonce}'" in middleware.process_response(request, HttpResponse())["Content-Security-Policy"]
    plain = rf.get("/")
    csp_of(middleware, plain, HttpResponse())
    with pytest.raises(CSPNonceError):
        str(plain.csp_nonce)  # asked for after the header was written


def test_csp_follows_the_settings(rf, settings):
    from django.http import HttpResponse

    from config.middleware import CSPMiddleware

    middleware = CSPMiddleware(HttpResponse)
    csp_of(middleware, rf.get("/"), HttpResponse())
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert csp_of(middleware, rf.get("/"), HttpResponse())["Content-Security-Policy"] == "default-src 'none'"
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"img-src": ["'self'"]}}
    assert "img-src 'self'" in csp_of(middleware, rf.get("/"), HttpResponse())["Content-Security-Policy-Report-Only"]
    settings.CONTENT_SECURITY_POLICY = {
        "EXCLUDE_URL_PREFIXES": ["/admin/"],
        "DIRECTIVES": {"default-src": ["'none'"]},
    }
    assert "Content-Security-Policy" not in csp_of(middleware, rf.get("/admin/x"), HttpResponse())
    assert csp_of(middleware, rf.get("/help/"), HttpResponse())["Content-Security-Policy"] == "default-src 'none'"


def login(client, email, password):
    return client.post("/accounts/login/", {"username": email, "password": password})


def test_login_by_email_in_any_case(client):
    UserFactory(email="someone@example.jp")
    response = login(client, "SomeOne@Example.JP", PASSWORD)
    assert response.status_code == 302


def test_wrong_password_message_is_japanese(client):
    UserFactory(email="someone@example.jp")
    body = login(client, "someone@example.jp", "wrong").content.decode()
    assert "メールアドレスまたはパスワードが正しくありません" in body


def test_five_failures_lock_the_account_even_with_the_right_password(client):
    UserFactory(email="victim@example.jp")
    for _ in range(5):
        login(client, "victim@example.jp", "guess")
    response = login(client, "VICTIM@example.jp", PASSWORD)
    assert response.status_code == 429
    assert "ログインを一時的に制限しています" in response.content.decode()


def test_login_posts_are_rate_limited_per_address(client, monkeypatch):
    import types

    import django_ratelimit.core

    # One fixed window for the whole test, however slow the machine is.
    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: 1_800_000_000))
    for _ in range(20):
        login(client, "nobody@example.jp", "x")
    response = login(client, "other@example.jp", "x")
    assert response.status_code == 429
    assert "しばらくしてからお試しください" in response.content.decode()


def test_admin_refuses_anonymous_and_non_staff(client):
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert client.get(response.url).url.startswith("/accounts/login/")
    client.force_login(UserFactory())
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_staff_must_set_up_and_pass_a_second_factor(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the real delay after a wrong code is tested by django-otp
    staff = UserFactory(email="newstaff@example.jp", is_staff=True)
    client.force_login(staff)
    response = client.get("/admin/login/?next=/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/two-factor/")
    assert "二要素認証の設定" in response.content.decode()
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    bad = client.post("/accounts/two-factor/", {"token": "000000", "next": "/admin/"})
    assert "確認コードが正しくない" in bad.content.decode()
    good = client.post("/accounts/two-factor/", {"token": current_code(device), "next": "/admin/"})
    assert good.status_code == 302 and good.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_new_session_needs_the_code_again(client):
    staff = make_staff()
    client.force_login(staff)
    response = client.get("/admin/", follow=True)
    assert "確認コードの入力" in response.content.decode()
    device = staff.totpdevice_set.get()
    response = client.post("/accounts/two-factor/verify/", {"token": current_code(device), "next": "/admin/"})
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_verified_staff_reach_admin(client):
    login_staff(client, make_staff())
    assert client.get("/admin/").status_code == 200


def test_open_redirects_are_refused(client):
    staff = make_staff()
    client.force_login(staff)
    device = staff.totpdevice_set.get()
    response = client.post(
        "/accounts/two-factor/verify/", {"token": current_code(device), "next": "https://evil.example/"}
    )
    assert response.url == "/accounts/start/"


def test_staff_group_has_exactly_the_listed_permissions():
    from django.contrib.auth.models import Group

    from config.roles import IPA_STAFF_GROUP, IPA_STAFF_PERMISSIONS, sync_staff_group

    sync_staff_group()
    granted = {
        f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=IPA_STAFF_GROUP).permissions.all()
    }
    assert granted == set(IPA_STAFF_PERMISSIONS)


@pytest.mark.parametrize(
    "url, data, limit",
    [
        ("/accounts/signup/", {"email": "x@example.jp"}, 20),
        ("/seminars/no-such-event/apply/", {"name": "x"}, 10),
        ("/seminars/surveys/open/00000000-0000-0000-0000-000000000000/", {}, 20),
    ],
)
def test_public_forms_are_rate_limited(client, monkeypatch, url, data, limit):
    import types

    import django_ratelimit.core

    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: 1_800_000_000))
    for _ in range(limit):
        assert client.post(url, data).status_code != 429
    assert client.post(url, data).status_code == 429
