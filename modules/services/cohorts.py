"""Facilitating cohorts: who may do what is checked here, on every call, against the database.

An administrator manages every cohort; a facilitator manages the cohorts they own or
co-facilitate; a learner manages none, and only joins with a code and sees their assignments.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from modules.cohorts.cohort import CohortError, CohortSettings
from modules.cohorts.roster import RosterRow, read_roster
from modules.course.models import CourseContent
from modules.services import authz
from modules.services.accounts import AccountLink
from modules.services.actors import ADMIN, FACILITATOR, Actor
from modules.services.errors import InvalidInput, NotFound
from modules.services.runtime import Runtime
from modules.services.text import clean_text
from progress import account_repo, auth_repo, cohort_repo
from progress.cohort_repo import AssignmentRecord, FacilitatorRecord, MemberRecord
from progress.cohort_repo import CohortRecord as CohortRecord  # the pages name it through here
from progress.errors import EmailTaken
from progress.people_repo import SqlPeopleRepository

SET_PASSWORD_LIFETIME = timedelta(days=14)


@dataclass(frozen=True)
class ImportResult:
    added: int
    already: int
    rejected: int
    links: tuple[AccountLink, ...]  # set-password links of the accounts it created, shown once


@dataclass(frozen=True)
class LearnerAssignment:
    cohort: str
    module_id: str
    title: str
    due_date: date
    overdue: bool


class CohortService:
    def __init__(self, rt: Runtime, content: CourseContent) -> None:
        self.rt = rt
        self.content = content
        self.course_id = content.course.id

    # Who may manage a cohort

    def managed(self, session: Session, actor: Actor, cohort_id: int) -> CohortRecord:
        """The cohort, when `actor` may manage it; PermissionDenied otherwise.

        Someone who may not manage a cohort gets the same answer whether or not it exists,
        so cohort ids cannot be probed; only administrators learn that an id is unknown.
        """
        actor = authz.current(SqlPeopleRepository(session), actor)
        found = cohort_repo.get_cohort(session, cohort_id)
        cohort = found if found is not None and found.course_id == self.course_id else None
        authz.require_cohort_manager(
            actor,
            cohort is not None,
            lambda: cohort_repo.is_cohort_facilitator(session, cohort_id, actor.user_id),
        )
        assert cohort is not None  # require_cohort_manager refuses an unknown cohort
        return cohort

    def settings_of(self, cohort: CohortRecord) -> CohortSettings:
        return CohortSettings(
            cohort.name, cohort.time_zone, cohort.inactive_after_days, self.rt.settings.min_group
        )

    # Cohorts

    def create(
        self, actor: Actor, name: str, time_zone: str, inactive_after_days: int = 14
    ) -> CohortRecord:
        settings = self._checked(name, time_zone, inactive_after_days)
        with self.rt.transaction() as session:
            authz.facilitator(SqlPeopleRepository(session), actor)
            return cohort_repo.create_cohort(
                session,
                course_id=self.course_id,
                name=settings.name,
                time_zone=time_zone,
                owner_id=actor.user_id,
                inactive_after_days=inactive_after_days,
            )

    def mine(self, actor: Actor, *, include_archived: bool = False) -> list[CohortRecord]:
        """The cohorts the actor manages: all of them for an administrator."""
        with self.rt.transaction() as session:
            actor = authz.facilitator(SqlPeopleRepository(session), actor)
            if actor.is_admin:
                found = cohort_repo.all_cohorts(session, include_archived=include_archived)
            else:
                found = cohort_repo.cohorts_facilitated_by(
                    session, actor.user_id, include_archived=include_archived
                )
        return [c for c in found if c.course_id == self.course_id]

    def get(self, actor: Actor, cohort_id: int) -> CohortRecord:
        with self.rt.transaction() as session:
            return self.managed(session, actor, cohort_id)

    def update(
        self, actor: Actor, cohort_id: int, *, name: str, time_zone: str, inactive_after_days: int
    ) -> CohortRecord:
        settings = self._checked(name, time_zone, inactive_after_days)
        with self.rt.transaction() as session:
            self.managed(session, actor, cohort_id)
            return cohort_repo.update_cohort(
                session,
                cohort_id,
                name=settings.name,
                time_zone=time_zone,
                inactive_after_days=inactive_after_days,
            )

    def archive(self, actor: Actor, cohort_id: int, archived: bool = True) -> CohortRecord:
        with self.rt.transaction() as session:
            self.managed(session, actor, cohort_id)
            if archived:
                return cohort_repo.archive_cohort(session, cohort_id)
            return cohort_repo.restore_cohort(session, cohort_id)

    def new_join_code(self, actor: Actor, cohort_id: int) -> str:
        with self.rt.transaction() as session:
            self.managed(session, actor, cohort_id)
            return cohort_repo.new_join_code(session, cohort_id)

    def _checked(self, name: str, time_zone: str, inactive_after_days: int) -> CohortSettings:
        clean_text(name, "The cohort name")
        try:
            return CohortSettings(name, time_zone, inactive_after_days, self.rt.settings.min_group)
        except (CohortError, ValueError) as error:
            raise InvalidInput(str(error)) from None

    # Facilitators and members

    def facilitators(self, actor: Actor, cohort_id: int) -> list[FacilitatorRecord]:
        with self.rt.transaction() as session:
            self.managed(session, actor, cohort_id)
            return cohort_repo.facilitators(session, cohort_id)

    def add_facilitator(self, actor: Actor, cohort_id: int, email: str) -> FacilitatorRecord:
        clean_text(email, "The email address")
        with self.rt.transaction() as session:
            self.managed(session, actor, cohort_id)
            person = account_repo.find_user_by_email(session, email)
            if person is None:
                raise InvalidInput("Nobody has an account with that email address.")
            if not {FACILITATOR, ADMIN} & set(person.roles):
                raise InvalidInput(
                    f"{person.display_name} is not a facilitator yet: ask an administrator to "
                    "give them the facilitator role first."
                )
            cohort_repo.add_facilitator(session, cohort_id, person.id)
            return next(
                f for f in cohort_repo.facilitators(session, cohort_id) if f.user_id == person.id
            )

    def remove_facilitator(self, actor: Actor, cohort_id: int, user_id: int) -> None:
        with self.rt.transaction() as session:
            self.managed(session, actor, cohort_id)
            remaining = [
                f for f in cohort_repo.facilitators(session, cohort_id) if f.user_id != user_id
            ]
            if not remaining:
                raise InvalidInput("A cohort keeps at least one facilitator.")
            cohort_repo.remove_facilitator(session, cohort_id, user_id)

    def members(self, actor: Actor, cohort_id: int) -> list[MemberRecord]:
        with self.rt.transaction() as session:
            self.managed(session, actor, cohort_id)
            return cohort_repo.members(session, cohort_id)

    def remove_member(self, actor: Actor, cohort_id: int, user_id: int) -> None:
        """Take a learner out of the cohort; everything they did stays theirs."""
        with self.rt.transaction() as session:
            self.managed(session, actor, cohort_id)
            cohort_repo.remove_member(session, cohort_id, user_id)

    def join(self, actor: Actor, code: str) -> CohortRecord:
        """A signed-in learner joins with a code (or an invite link carrying it)."""
        clean_text(code, "The join code")
        with self.rt.transaction() as session:
            actor = authz.current(SqlPeopleRepository(session), actor)
            cohort = cohort_repo.cohort_by_join_code(session, code)
            if (
                cohort is None
                or cohort.archived_at is not None
                or cohort.course_id != self.course_id
                or cohort.is_sample  # made-up learners only: a real one would join their figures
            ):
                raise NotFound(
                    "That code does not match an open cohort. Check it with your facilitator."
                )
            cohort_repo.add_member(session, cohort.id, actor.user_id)
            return cohort

    # Roster import: a dry run first, then everything or nothing

    def preview_roster(self, actor: Actor, cohort_id: int, data: bytes) -> list[RosterRow]:
        with self.rt.transaction() as session:
            _real_people_only(self.managed(session, actor, cohort_id))
            return self._read_roster(session, cohort_id, data)

    def import_roster(self, actor: Actor, cohort_id: int, data: bytes) -> ImportResult:
        """Add the valid rows in one transaction; new accounts get a set-password link."""
        with self.rt.transaction() as session:
            _real_people_only(self.managed(session, actor, cohort_id))
            rows = self._read_roster(session, cohort_id, data)
            links: list[AccountLink] = []
            for row in (r for r in rows if r.status == "add"):
                person = account_repo.find_user_by_email(session, row.email)
                if person is None:
                    try:
                        person = account_repo.create_user(session, row.email, row.name, None)
                    except EmailTaken:  # created meanwhile: roll back, import nothing
                        raise InvalidInput(
                            "Someone's account was created while importing, so nothing was "
                            "imported. Check the roster again."
                        ) from None
                    link = auth_repo.create_password_reset(
                        session,
                        person.id,
                        actor.user_id,
                        lifetime=SET_PASSWORD_LIFETIME,
                    )
                    links.append(AccountLink(person, link.token, link.expires_at))
                cohort_repo.add_member(session, cohort_id, person.id)
        count = {status: sum(r.status == status for r in rows) for status in ("add", "already")}
        rejected = len(rows) - count["add"] - count["already"]
        return ImportResult(count["add"], count["already"], rejected, tuple(links))

    def _read_roster(self, session: Session, cohort_id: int, data: bytes) -> list[RosterRow]:
        members = {m.email for m in cohort_repo.members(session, cohort_id)}
        known = {u.email for u in account_repo.list_users(session)}
        try:
            return read_roster(data, members, known)
        except CohortError as error:
            raise InvalidInput(str(error)) from None

    # Assignments

    def assignments(self, actor: Actor, cohort_id: int) -> list[AssignmentRecord]:
        with self.rt.transaction() as session:
            self.managed(session, actor, cohort_id)
            return cohort_repo.assignments(session, cohort_id)

    def assign(
        self, actor: Actor, cohort_id: int, module_ids: Iterable[str], due_date: date
    ) -> list[AssignmentRecord]:
        """Assign modules (every listed one for the whole course) due by `due_date`."""
        wanted = list(module_ids)
        unknown = [m for m in wanted if m not in self.content.course.modules]
        if not wanted or unknown:
            raise InvalidInput("Choose modules of this course to assign.")
        with self.rt.transaction() as session:
            self.managed(session, actor, cohort_id)
            for module_id in wanted:
                cohort_repo.set_assignment(session, cohort_id, module_id, due_date, actor.user_id)
            return cohort_repo.assignments(session, cohort_id)

    def unassign(self, actor: Actor, cohort_id: int, module_id: str) -> None:
        with self.rt.transaction() as session:
            self.managed(session, actor, cohort_id)
            cohort_repo.remove_assignment(session, cohort_id, module_id)

    def my_assignments(self, actor: Actor, completed: Sequence[str]) -> list[LearnerAssignment]:
        """The learner's own assignments, earliest due first; `completed`: modules done."""
        with self.rt.transaction() as session:
            actor = authz.current(SqlPeopleRepository(session), actor)
            found = cohort_repo.assignments_for_learner(session, actor.user_id)
        result = []
        for cohort, assignment in found:
            module = self.content.modules.get(assignment.module_id)
            if cohort.course_id != self.course_id or module is None:
                continue
            today = self.settings_of(cohort).local_date(datetime.now(UTC))
            overdue = assignment.due_date < today and module.id not in completed
            result.append(
                LearnerAssignment(
                    cohort.name, module.id, module.title, assignment.due_date, overdue
                )
            )
        return sorted(result, key=lambda a: (a.due_date, a.title))


SAMPLE_HAS_NO_REAL_PEOPLE = (
    "This is a sample cohort of made-up learners: real people join a cohort of your own."
)


def _real_people_only(cohort: CohortRecord) -> None:
    """Real people never enter a sample cohort, so made-up and real figures never mix."""
    if cohort.is_sample:
        raise InvalidInput(SAMPLE_HAS_NO_REAL_PEOPLE)
