"""xAPI 1.0.3 statements of a learner's progress, built from the records (pure: no storage).

What is sent is progress only: a lesson, reflection or plan step experienced (never its text,
not even its length), a scenario completed with its score, a knowledge check passed or failed
with its score, a module and the course completed, a certificate earned. Never a scenario's
choices, a quiz's answers, a plan's text or a check-in's note.

Statement ids are UUIDs derived from the record they report (uuid5), so building the same
statement twice (a resend, a double click, the export) gives the same id, and an LRS keeps one.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from modules.course.models import Commitment, Course, Lesson, Module, Reflection, Step
from progress.step_repo import StepRef
from progress.xapi_repo import XapiAccount

Statement = dict[str, Any]

XAPI_VERSION = "1.0.3"
# Fixed forever: every statement id in every LRS the course ever fed is derived from it.
NAMESPACE = uuid.UUID("5f0c8d1e-3b7a-5c2e-9a41-7d6e2b1f0a93")

ADL = "http://adlnet.gov/expapi"
EXPERIENCED = f"{ADL}/verbs/experienced"
COMPLETED = f"{ADL}/verbs/completed"
PASSED = f"{ADL}/verbs/passed"
FAILED = f"{ADL}/verbs/failed"
VOIDED = f"{ADL}/verbs/voided"
EARNED = "http://id.tincanapi.com/verb/earned"

COURSE = f"{ADL}/activities/course"
MODULE = f"{ADL}/activities/module"
LESSON = f"{ADL}/activities/lesson"
SIMULATION = f"{ADL}/activities/simulation"
ASSESSMENT = f"{ADL}/activities/assessment"
INTERACTION = f"{ADL}/activities/interaction"
CERTIFICATE = "http://id.tincanapi.com/activitytype/certificate"

# The step kinds that report "experienced": scenarios and quizzes report their own result.
EXPERIENCED_STEPS: tuple[type[Step], ...] = (Lesson, Reflection, Commitment)
PLATFORM = "Ally"


def statement_id(*key: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join(str(part) for part in key)))


def _verb(iri: str) -> dict[str, Any]:
    return {"id": iri, "display": {"en-US": iri.rsplit("/", 1)[1]}}


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class StatementBuilder:
    """Statements for one site (its public address) and one course."""

    def __init__(
        self,
        public_url: str,
        course: Course,
        modules: Mapping[str, Module],
        actor_email: bool = False,
    ) -> None:
        self.home = public_url.rstrip("/")
        self.course = course
        self.modules = modules
        self.actor_email = actor_email  # ALLY_LRS_ACTOR_EMAIL: name him by email, not opaquely

    # Identities

    def actor(self, account: XapiAccount) -> dict[str, Any]:
        if self.actor_email:
            return {"objectType": "Agent", "mbox": f"mailto:{account.email}"}
        return {
            "objectType": "Agent",
            "account": {"homePage": self.home, "name": account.opaque_name},
        }

    def _id(self, account: XapiAccount, kind: str, *key: object) -> str:
        # The opaque name, not the user id: a reused row id never repeats a statement id.
        return statement_id(self.home, kind, account.opaque_name, *key)

    def course_iri(self) -> str:
        return f"{self.home}/xapi/courses/{self.course.id}"

    def module_iri(self, module_id: str) -> str:
        return f"{self.course_iri()}/modules/{module_id}"

    def step_iri(self, ref: StepRef) -> str:
        return f"{self.module_iri(ref.module_id)}/steps/{ref.step_id}"

    # Objects

    def _activity(self, iri: str, kind: str, name: str | None) -> dict[str, Any]:
        definition: dict[str, Any] = {"type": kind}
        if name:
            definition["name"] = {"en-US": name}
        return {"objectType": "Activity", "id": iri, "definition": definition}

    def _course_activity(self) -> dict[str, Any]:
        return self._activity(self.course_iri(), COURSE, self.course.title)

    def _module_activity(self, module_id: str) -> dict[str, Any]:
        module = self.modules.get(module_id)
        return self._activity(self.module_iri(module_id), MODULE, module.title if module else None)

    def _step_activity(self, ref: StepRef, kind: str) -> dict[str, Any]:
        module = self.modules.get(ref.module_id)
        step = module.step(ref.step_id) if module else None
        return self._activity(self.step_iri(ref), kind, step.title if step else None)

    def _context(self, module_id: str | None = None) -> dict[str, Any]:
        parents = [self._module_activity(module_id)] if module_id else []
        activities: dict[str, Any] = {"grouping": [self._course_activity()]}
        if parents:
            activities["parent"] = parents
        return {"platform": PLATFORM, "language": "en-US", "contextActivities": activities}

    def _statement(
        self,
        sid: str,
        account: XapiAccount,
        verb: str,
        activity: dict[str, Any],
        at: datetime,
        context: dict[str, Any],
        result: dict[str, Any] | None = None,
    ) -> Statement:
        statement: Statement = {
            "id": sid,
            "actor": self.actor(account),
            "verb": _verb(verb),
            "object": activity,
            "context": context,
            "timestamp": _stamp(at),
            "version": XAPI_VERSION,
        }
        if result is not None:
            statement["result"] = result
        return statement

    # The statements

    def step_experienced(
        self, account: XapiAccount, ref: StepRef, step: Step, at: datetime
    ) -> Statement | None:
        """A lesson read, a reflection written or a plan made; None for other step kinds."""
        if not isinstance(step, EXPERIENCED_STEPS):
            return None
        kind = LESSON if isinstance(step, Lesson) else INTERACTION
        sid = self._id(account, "step", ref.course_id, ref.module_id, ref.step_id)
        activity = self._step_activity(ref, kind)
        return self._statement(
            sid, account, EXPERIENCED, activity, at, self._context(ref.module_id)
        )

    def scenario_completed(
        self, account: XapiAccount, ref: StepRef, attempt_id: int, score: float, at: datetime
    ) -> Statement:
        result = {"score": {"scaled": _scaled(score)}, "completion": True}
        return self._statement(
            self._id(account, "scenario", attempt_id),
            account,
            COMPLETED,
            self._step_activity(ref, SIMULATION),
            at,
            self._context(ref.module_id),
            result,
        )

    def quiz_marked(
        self,
        account: XapiAccount,
        ref: StepRef,
        attempt_id: int,
        score: float,
        passed: bool,
        at: datetime,
    ) -> Statement:
        result = {"score": {"scaled": _scaled(score)}, "success": passed, "completion": True}
        return self._statement(
            self._id(account, "quiz", attempt_id),
            account,
            PASSED if passed else FAILED,
            self._step_activity(ref, ASSESSMENT),
            at,
            self._context(ref.module_id),
            result,
        )

    def module_completed(self, account: XapiAccount, module_id: str, at: datetime) -> Statement:
        return self._statement(
            self._id(account, "module", self.course.id, module_id),
            account,
            COMPLETED,
            self._module_activity(module_id),
            at,
            self._context(),
            {"completion": True},
        )

    def course_completed(self, account: XapiAccount, at: datetime) -> Statement:
        context = {"platform": PLATFORM, "language": "en-US"}
        return self._statement(
            self._id(account, "course", self.course.id),
            account,
            COMPLETED,
            self._course_activity(),
            at,
            context,
            {"completion": True},
        )

    def certificate_earned(
        self, account: XapiAccount, certificate_id: int, verify_url: str | None, at: datetime
    ) -> Statement:
        activity = self._activity(
            f"{self.course_iri()}/certificate", CERTIFICATE, f"Certificate: {self.course.title}"
        )
        if verify_url:
            activity["definition"]["moreInfo"] = verify_url
        return self._statement(
            self._id(account, "certificate", certificate_id),
            account,
            EARNED,
            activity,
            at,
            self._context(),
        )


def voiding(statement_to_void: Mapping[str, Any], at: datetime) -> Statement:
    """The statement that voids `statement_to_void` (sent for a deleted account).

    Its actor is the site itself, on the home page the voided statement's activity names:
    nothing of the learner's identity is kept to send it.
    """
    target = str(statement_to_void["id"])
    activity = str(statement_to_void.get("object", {}).get("id", ""))
    home = activity.split("/xapi/", 1)[0] if "/xapi/" in activity else "urn:ally:site"
    return {
        "id": statement_id("voided", target),
        "actor": {"objectType": "Agent", "account": {"homePage": home, "name": "ally-course"}},
        "verb": _verb(VOIDED),
        "object": {"objectType": "StatementRef", "id": target},
        "timestamp": _stamp(at),
        "version": XAPI_VERSION,
    }


def _scaled(score: float) -> float:
    return round(min(max(score, 0.0), 1.0), 4)
