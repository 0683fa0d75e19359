import logging
import os

import pytest
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.transaction import Atomic

# Playwright's sync API runs an event loop in the test thread; the ORM calls
# the tests make around it are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Real hashing costs a second per login on a busy machine; the hasher is not under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_rate_limits(monkeypatch):
    """Each test starts with no rate-limit counters (config/settings_test.py):
    a test must not be refused for its neighbours' logins. The clock the
    counters' windows follow stands still, so no window ends mid-test."""
    import types

    import django_ratelimit.core
    from django.conf import settings
    from django.core.cache import caches

    caches[settings.RATELIMIT_USE_CACHE].clear()
    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: 1_800_000_000))


@pytest.fixture(autouse=True)
def _no_kept_fragments():
    """Parts of pages are kept by entry and version in this process's memory;
    a rolled-back test may leave an entry of the same number and version."""
    from django.core.cache import caches

    caches["fragments"].clear()


@pytest.fixture(autouse=True, scope="session")
def _jinja2_pages_seen_by_the_test_client():
    """Django's test client gives a response's templates and context for
    Django templates only (setup_test_environment instruments their
    rendering); the list page is a Jinja2 template (docs/decisions/0900).
    Its rendering sends the same signal, with the view's context."""
    from django.template.backends import jinja2 as backend
    from django.test.signals import template_rendered

    original = backend.Template.render

    def render(self, context=None, request=None):
        context = {} if context is None else context
        template_rendered.send(sender=self, template=self.template, context=context)
        return original(self, context, request)

    backend.Template.render = render
    yield
    backend.Template.render = original


def pytest_collection_modifyitems(items):
    """Run tests that flush the database (transaction=True, e.g. browser tests)
    after the others, as Django's runner does: a flush also removes the rows
    that data migrations installed (the ★3 catalogue, survey categories)."""

    def flushes(item):
        marker = item.get_closest_marker("django_db")
        return bool(
            marker and (marker.kwargs.get("transaction") or "transactional_db" in getattr(item, "fixturenames", ()))
        )

    items.sort(key=flushes)


def _only_test_blocks_open(connection) -> bool:
    return connection.in_atomic_block and all(
        getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    )


def _run_commit_hook(callback, robust):
    try:
        callback()
    except Exception:
        if not robust:
            raise
        logging.getLogger("django.db.backends.base").exception("on_commit callback failed")


@pytest.fixture(autouse=True)
def _commit_hooks_run_as_in_production(monkeypatch):
    """Run ``on_commit`` callbacks as a real commit would: when the outermost
    block of the code under test ends, or at once outside any block. The
    test's own enclosing transaction (rolled back afterwards) would otherwise
    swallow every page-cache publication. A block that fails still discards
    its callbacks. (Mail is a row in the outbox, sent by tests/mailbox.py.)"""
    original_exit = Atomic.__exit__
    original_on_commit = BaseDatabaseWrapper.on_commit

    def exit_and_commit(self, exc_type, exc_value, traceback):
        result = original_exit(self, exc_type, exc_value, traceback)
        connection = connections[self.using or "default"]
        if exc_type is None and _only_test_blocks_open(connection):
            callbacks, connection.run_on_commit = connection.run_on_commit, []
            for _, callback, robust in callbacks:
                _run_commit_hook(callback, robust)
        return result

    def on_commit(self, func, robust=False):
        if _only_test_blocks_open(self):
            _run_commit_hook(func, robust)
        else:
            original_on_commit(self, func, robust)

    monkeypatch.setattr(Atomic, "__exit__", exit_and_commit)
    monkeypatch.setattr(BaseDatabaseWrapper, "on_commit", on_commit)
