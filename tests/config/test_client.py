"""The client's address behind proxies: one answer for the lock-out, the rate limits and the relay."""

import pytest
from django.test import RequestFactory

from config.client import client_ip
from supporters.models import ContactMessage
from tests.factories import PASSWORD, SupporterFactory, UserFactory

PROXY = "10.0.0.2"  # the load balancer, as the application sees it


def address(meta, settings, *, header="HTTP_X_FORWARDED_FOR", proxies=1):
    settings.CLIENT_IP_HEADER = header
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", **meta)
    return client_ip(request)


@pytest.mark.parametrize(
    "forwarded, proxies, expected",
    [
        ("203.0.113.5, 192.0.2.10", 1, "192.0.2.10"),  # the client wrote 203.0.113.5 itself: not believed
        ("203.0.113.5, 192.0.2.10", 2, "203.0.113.5"),  # a CDN in front of the load balancer
        ("203.0.113.5,192.0.2.10", 3, "203.0.113.5"),  # fewer hops than proxies: the leftmost a proxy wrote
        ("192.0.2.10", 1, "192.0.2.10"),
        ("192.0.2.10:51234", 1, "192.0.2.10"),
        ("[2001:db8::1]:443", 1, "2001:db8::1"),
        ("2001:db8::1", 1, "2001:db8::1"),
        ("::ffff:192.0.2.10", 1, "192.0.2.10"),
        ("garbage, <script>", 1, PROXY),
        ("203.0.113.5, unknown", 1, PROXY),
        ("", 1, PROXY),
        (" , ,", 1, PROXY),
    ],
)
def test_the_client_is_the_address_the_trusted_proxies_saw(settings, forwarded, proxies, expected):
    assert address({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}, settings, proxies=proxies) == expected


def test_without_a_header_setting_the_socket_address_counts(settings):
    assert (
        address({"REMOTE_ADDR": "192.0.2.7", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}, settings, header="") == "192.0.2.7"
    )
    assert address({"REMOTE_ADDR": ""}, settings, header="") == "0.0.0.0"


def test_the_header_name_may_be_written_as_http_sends_it(monkeypatch):
    import importlib

    import config.settings

    monkeypatch.setenv("CLIENT_IP_HEADER", "X-Forwarded-For")
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "2")
    try:
        reloaded = importlib.reload(config.settings)
        assert (reloaded.CLIENT_IP_HEADER, reloaded.TRUSTED_PROXY_COUNT) == ("HTTP_X_FORWARDED_FOR", 2)
    finally:
        monkeypatch.undo()
        importlib.reload(config.settings)


@pytest.fixture
def behind_proxy(settings, client):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXY_COUNT = 1
    client.defaults["REMOTE_ADDR"] = PROXY
    return client


def login(client, forwarded, password):
    return client.post(
        "/accounts/login/",
        {"username": "someone@example.jp", "password": password},
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.django_db
def test_a_comma_separated_header_still_logs_in(behind_proxy):
    UserFactory(email="someone@example.jp")
    response = login(behind_proxy, "203.0.113.5, 192.0.2.10", PASSWORD)
    assert response.status_code == 302


@pytest.mark.django_db
def test_lock_out_and_limits_count_per_client_not_per_proxy(behind_proxy):
    from axes.models import AccessAttempt

    UserFactory(email="someone@example.jp")
    for _ in range(5):
        login(behind_proxy, "198.51.100.1, 192.0.2.10", "guess")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.10"}
    assert login(behind_proxy, "192.0.2.10", PASSWORD).status_code == 429  # locked: this client
    assert login(behind_proxy, "192.0.2.11", PASSWORD).status_code == 302  # another client behind the same proxy


@pytest.mark.django_db
def test_the_relay_records_the_client_address(behind_proxy):
    SupporterFactory(registration_no="300001", hidden_fields=["email"], user=UserFactory(email="x@example.jp"))
    behind_proxy.post(
        "/supporters/300001/contact/",
        {"name": "山田", "email": "sme@example.jp", "message": "ご相談", "consent": "on", "website": ""},
        HTTP_X_FORWARDED_FOR="203.0.113.5, 192.0.2.10",
    )
    assert ContactMessage.objects.get().ip_address == "192.0.2.10"
