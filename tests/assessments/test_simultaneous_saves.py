"""The company and the expert save the sheet at the same moment: neither loses its input.

Each side's request reads the sheet's rows when it validates its form and
writes a little later. If the other side's save lands in between, a write
of whole rows would put the other side's columns back as they were read.
Two reproductions, each many times over:

- interleaved: one side's whole save runs between the other side's read and
  write, on the one connection the test has (SQLite and PostgreSQL);
- concurrent: both requests on their own connections at the same instant
  (PostgreSQL: SQLite's in-memory test database refuses a second writer
  instead of making it wait, so it cannot run two writing requests at once).
"""

from __future__ import annotations

import random
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from assessments import services
from assessments.models import SheetRevision, SheetRow

from .factories import make_assessment
from .test_flow import sheet_post

ROUNDS = 30


def company_input(n: int, rng: random.Random) -> dict:
    results = [value for value, _ in SheetRow.Result.choices]
    return {i: {"result": rng.choice(results), "company_comment": f"企業の入力{n}-{i}"} for i in range(12)}


def expert_input(n: int, rng: random.Random) -> dict:
    procedures = [value for value, _ in SheetRow.Procedure.choices]
    return {
        i: {
            "procedures": rng.sample(procedures, k=rng.randint(1, 4)),
            "evaluation": rng.choice(["conform", "improve"]),
            "expert_comment": f"専門家の入力{n}-{i}",
        }
        for i in range(12)
    }


def assert_both_kept(assessment, company: dict, expert: dict):
    rows = list(assessment.rows.order_by("middle__number"))
    for i, row in enumerate(rows):
        assert (row.result, row.company_comment) == (company[i]["result"], company[i]["company_comment"]), i
        assert row.evaluation == expert[i]["evaluation"] and row.expert_comment == expert[i]["expert_comment"], i
        assert sorted(row.procedures) == sorted(expert[i]["procedures"]), i


def post_at_once(clients: dict, url: str | dict, posts: dict) -> dict:
    """Each client posts its form from its own thread and connection, all released at one instant
    (to ``url``, or to its own URL when ``url`` maps each client to one)."""
    start = threading.Barrier(len(clients))
    answers = {}

    def post(side):
        try:
            start.wait()
            answers[side] = clients[side].post(url[side] if isinstance(url, dict) else url, posts[side]).status_code
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=post, args=(side,)) for side in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.fixture
def under_review(company_user, expert):
    return make_assessment(company_user=company_user, expert=expert[1], stage="expert_review")


def test_a_save_landing_between_the_other_sides_read_and_write_is_kept(monkeypatch, under_review, company_user, expert):
    assessment = under_review
    edit = reverse("assessments:sheet-edit", args=[assessment.pk])
    clients = {"company": Client(), "expert": Client()}
    clients["company"].force_login(company_user)
    clients["expert"].force_login(expert[0])
    original = services.save_sheet

    def saving_first(client, post):
        """save_sheet, once the other side's whole save has run: the caller has already read the rows."""

        def save_sheet(**kwargs):
            monkeypatch.setattr(services, "save_sheet", original)
            assert client.post(edit, post).status_code == 302
            return original(**kwargs)

        return save_sheet

    rng = random.Random(20251216)
    for n in range(ROUNDS):
        inputs = {"company": company_input(n, rng), "expert": expert_input(n, rng)}
        first, second = rng.sample(["company", "expert"], 2)
        posts = {side: sheet_post(assessment, side, inputs[side]) for side in (first, second)}
        monkeypatch.setattr(services, "save_sheet", saving_first(clients[second], posts[second]))
        assert clients[first].post(edit, posts[first]).status_code == 302
        monkeypatch.setattr(services, "save_sheet", original)
        assert_both_kept(assessment, inputs["company"], inputs["expert"])
    assessment.refresh_from_db()
    assert (assessment.company_version, assessment.expert_version) == (ROUNDS, ROUNDS)
    # Every revision holds what its side saved in that round.
    last = SheetRevision.objects.get(assessment=assessment, side="expert", version=ROUNDS)
    assert {v["expert_comment"] for v in last.data.values()} == {f"専門家の入力{ROUNDS - 1}-{i}" for i in range(12)}


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_on_their_own_connections_keep_both_sides(under_review, company_user, expert):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that lets two connections write at once (PostgreSQL; CI runs it)")
    assessment = under_review
    edit = reverse("assessments:sheet-edit", args=[assessment.pk])
    clients = {"company": Client(), "expert": Client()}
    clients["company"].force_login(company_user)
    clients["expert"].force_login(expert[0])
    rng = random.Random(20251202)
    for n in range(ROUNDS):
        inputs = {"company": company_input(n, rng), "expert": expert_input(n, rng)}
        posts = {side: sheet_post(assessment, side, inputs[side]) for side in clients}
        answers = post_at_once(clients, edit, posts)
        assert answers == {"company": 302, "expert": 302}, n
        assert_both_kept(assessment, inputs["company"], inputs["expert"])
    assessment.refresh_from_db()
    assert (assessment.company_version, assessment.expert_version) == (ROUNDS, ROUNDS)
