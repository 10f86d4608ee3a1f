"""xAPI and the records work: a certificate is reported when issued; deleting an account takes
his queued statements with it and voids what the LRS already holds, in the deletion's unit
of work. On SQLite and PostgreSQL, through the services the pages call.
"""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select, update

from modules.services.account_deletion import delete_own_account
from modules.services.certificate_pdf import verification_url
from modules.services.certificates import CertificateService
from modules.services.learning import LearningService
from modules.services.practice import Practice
from modules.services.runtime import Runtime, runtime
from modules.services.xapi import EARNED, VOIDED
from modules.services.xapi_outbox import ProgressReporter
from modules.settings import LrsSettings
from progress.tables import XapiOutboxRow
from tests.integration import records_world
from tests.integration.records_world import PASSWORD, World

world = records_world.world  # the fixture, used by name below
LRS = LrsSettings("http://127.0.0.1:9/xAPI", "ally", "secret")  # never reached here


def with_lrs(w: World) -> Runtime:
    """The world's runtime as a site with an LRS configured: its services queue statements."""
    rt = runtime(dataclasses.replace(w.rt.settings, lrs=LRS))
    reporter = ProgressReporter.for_settings(rt.settings, w.content)
    assert reporter is not None
    w.rt = rt
    w.learning = LearningService(rt.uow, w.content, reporter=reporter)
    w.practice = Practice(w.learning)
    w.certificates = CertificateService(rt, w.content)
    return rt


def outbox(rt: Runtime) -> list[tuple[int | None, str, str]]:
    """(user id, verb, object id) of every row, oldest first."""
    with rt.transaction() as session:
        rows = session.scalars(select(XapiOutboxRow).order_by(XapiOutboxRow.id))
        return [(r.user_id, r.statement["verb"]["id"], r.statement["object"]["id"]) for r in rows]


def test_issuing_a_certificate_reports_it_with_its_verification_url(world: World) -> None:
    rt = with_lrs(world)
    world.complete_course()
    certificate = world.certificates.issue(world.learner)
    world.certificates.issue(world.learner)  # again: the same certificate, nothing new
    with rt.transaction() as session:
        rows = list(session.scalars(select(XapiOutboxRow).order_by(XapiOutboxRow.id)))
        earned = [r.statement for r in rows if r.statement["verb"]["id"] == EARNED]
    (statement,) = earned
    home = f"{records_world.PUBLIC_URL}/xapi/courses/{world.content.course.id}"
    assert statement["object"]["id"] == f"{home}/certificate"
    url = verification_url(records_world.PUBLIC_URL, certificate.code)
    assert statement["object"]["definition"]["moreInfo"] == url


def test_deleting_an_account_voids_what_the_lrs_holds_and_drops_the_rest(world: World) -> None:
    rt = with_lrs(world)
    world.complete_course()
    world.certificates.issue(world.learner)
    mine = [row for row in outbox(rt) if row[0] == world.learner.user_id]
    assert len(mine) == 8  # lesson, scenario, quiz, reflection, plan, module, course, certificate
    with rt.transaction() as session:  # the sender had posted the first three
        first = select(XapiOutboxRow.id).order_by(XapiOutboxRow.id).limit(3).scalar_subquery()
        session.execute(
            update(XapiOutboxRow).where(XapiOutboxRow.id.in_(first)).values(status="sent")
        )
        sent = list(
            session.scalars(
                select(XapiOutboxRow.statement_id).where(XapiOutboxRow.status == "sent")
            )
        )

    delete_own_account(rt, world.learner, PASSWORD)

    left = outbox(rt)
    assert [(user, verb) for user, verb, _ in left] == [(None, VOIDED)] * 3
    assert sorted(target for _, _, target in left) == sorted(sent)


def test_a_deletion_that_fails_keeps_his_statements(world: World) -> None:
    rt = with_lrs(world)
    world.complete_course()
    before = outbox(rt)
    with pytest.raises(Exception, match="not your password"):
        delete_own_account(rt, world.learner, "not the passphrase")
    assert outbox(rt) == before
