"""Site-wide behaviour: settings, health check, error pages, security headers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_check_deploy_is_clean_in_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DEBUG": "0",
            "SECRET_KEY": "x" * 20 + "-production-secret-key-0123456789abcdefghij",
            "ALLOWED_HOSTS": "example.jp",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", env={"DEBUG": "0", "ALLOWED_HOSTS": "example.jp"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_sqlite_transactions_take_the_write_lock_when_they_begin(tmp_path):
    # Two writers (a page saving an entry, the outbox's sender thread under make run) then wait
    # for each other; a deferred transaction that reads first failed at once with "database is locked".
    script = (
        "from django.db import connection, transaction\n"
        "seen = []\n"
        "with connection.execute_wrapper(lambda run, sql, *rest: seen.append(sql) or run(sql, *rest)):\n"
        "    with transaction.atomic():\n"
        "        connection.cursor().execute('SELECT 1')\n"
        "print(seen[0], connection.settings_dict['OPTIONS']['timeout'])\n"
    )
    result = manage("shell", "-c", script, env={"DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["BEGIN", "IMMEDIATE", "20"]


@pytest.mark.django_db
def test_healthz_checks_the_database(client, monkeypatch):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}

    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503


@pytest.mark.django_db
def test_404_page_is_japanese_in_the_site_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert '<html lang="ja">' in body and "ページが見つかりません" in body and "本文へスキップ" in body


@pytest.mark.django_db
def test_500_page_is_japanese(client):
    from config import views

    client.raise_request_exception = False
    with override_settings(DEBUG=False):
        response = views.server_error(client.get("/").wsgi_request)
    assert response.status_code == 500
    assert "一時的なエラーが発生しました" in response.content.decode()


@pytest.mark.django_db
def test_a_host_not_allowed_is_refused_in_japanese_without_a_link_to_it(client, settings):
    settings.ALLOWED_HOSTS = ["shien.example.jp"]
    response = client.get("/", HTTP_HOST="evil.example")
    body = response.content.decode()
    assert response.status_code == 400 and '<html lang="ja">' in body
    assert "このアドレス(ホスト名)では、このサイトを表示できません" in body and "Bad Request" not in body
    assert "トップページへ" not in body  # on the refused host it would be refused too


@pytest.mark.django_db
def test_too_much_data_is_refused_in_japanese(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.post("/accounts/login/", {"username": "x" * 2048, "password": "y"})
    body = response.content.decode()
    assert response.status_code == 400 and "送信したデータが大きすぎます(上限は1 KBです)" in body
    assert "トップページへ" in body


@pytest.mark.django_db
def test_security_headers(client):
    response = client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_healthz_answers_probes_by_ip_over_http_in_production(client, settings):
    settings.ALLOWED_HOSTS = ["example.jp"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz", HTTP_HOST="10.0.0.5:8000").status_code == 200
    assert client.get("/", HTTP_HOST="10.0.0.5:8000").status_code == 400
