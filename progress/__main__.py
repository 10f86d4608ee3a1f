"""Administration from the shell: `python -m progress migrate | create-user | demo | revision`.

Exit status: 0 done, 1 failed (database unreachable, address taken), 2 bad usage or input.
Errors are one line on standard error, never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from modules.settings import SettingsError, load_settings, redacted_url
from progress.account_repo import create_user, email_problem
from progress.database import make_engine, session_factory
from progress.errors import StorageError
from progress.migrate import MigrationError, new_revision, upgrade_to_head
from progress.passwords import hash_password, password_problem
from progress.tables import ROLES
from progress.tables.accounts import LEARNER

PROG = "python -m progress"


class UsageError(Exception):
    """Bad input from the person running the command (exit status 2)."""


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        if arguments.command == "migrate":
            return _migrate()
        if arguments.command == "create-user":
            return _create_user(arguments, stdin or sys.stdin)
        if arguments.command == "demo":
            return _demo(arguments)
        if arguments.command == "xapi":
            return _xapi(arguments)
        return _revision(arguments.message)
    except (UsageError, SettingsError) as error:
        return _fail(str(error), 2)
    except (StorageError, MigrationError, OSError) as error:
        return _fail(str(error) or type(error).__name__, 1)
    except SQLAlchemyError as error:
        cause = getattr(error, "orig", None) or error
        return _fail(f"database error: {str(cause).strip().splitlines()[0]}", 1)
    except KeyboardInterrupt:
        return _fail("interrupted", 1)
    except Exception as error:  # noqa: BLE001 - the promise is: no traceback, ever
        return _fail(f"unexpected {type(error).__name__}: {error}", 1)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Ally storage administration.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("migrate", help="create or upgrade the database schema")
    create = commands.add_parser(
        "create-user", help="add an account; the password is read from standard input"
    )
    create.add_argument("email")
    create.add_argument("--name", required=True, help="display name")
    create.add_argument(
        "--role", action="append", choices=ROLES, help="may repeat; default: learner"
    )
    demo = commands.add_parser(
        "demo", help="a sample cohort of made-up learners for a facilitator, or remove them all"
    )
    which = demo.add_mutually_exclusive_group(required=True)
    which.add_argument("--owner", metavar="EMAIL", help="the facilitator who gets the cohort")
    which.add_argument(
        "--remove", action="store_true", help="delete every sample cohort and made-up learner"
    )
    demo.add_argument("--time-zone", default="America/New_York", help="the cohort's time zone")
    xapi = commands.add_parser("xapi", help="xAPI statements: export them, or count the outbox")
    actions = xapi.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = actions.add_parser(
        "export", help="every learner's statements since DATE as JSON lines (no LRS needed)"
    )
    export.add_argument("--since", required=True, metavar="DATE", help="2026-01-31, UTC")
    export.add_argument("--output", metavar="FILE", help="write here (default: standard output)")
    actions.add_parser("status", help="how many statements are pending, sent and rejected")
    revision = commands.add_parser(
        "revision", help="(developers) write a migration for changes to progress/tables"
    )
    revision.add_argument("message")
    return parser


def _migrate() -> int:
    settings = load_settings()
    revision = upgrade_to_head(make_engine(settings.database_url))
    print(f"{redacted_url(settings.database_url)} is at revision {revision}")
    return 0


def _create_user(arguments: argparse.Namespace, stdin: TextIO) -> int:
    problem = email_problem(arguments.email) or _name_problem(arguments.name)
    password = _read_password(stdin)
    problem = problem or password_problem(password)
    if problem:
        raise UsageError(problem)
    engine = make_engine(load_settings().database_url)
    upgrade_to_head(engine)
    requested = set(arguments.role or [LEARNER])
    with session_factory(engine).begin() as session:
        user = create_user(
            session, arguments.email, arguments.name, hash_password(password), roles=requested
        )
    print(f"created user {user.id} {user.email} with roles: {', '.join(sorted(user.roles))}")
    if user.roles - requested:
        print("the first account is always an administrator and facilitator")
    return 0


def _demo(arguments: argparse.Namespace) -> int:
    # Imported here: the other commands need no course content and no services.
    from modules.cohorts.cohort import CohortError
    from modules.course.validation import validate_directory
    from modules.services.errors import InvalidInput
    from modules.services.runtime import runtime
    from modules.services.sample_cohort import create_sample_cohort, remove_samples

    rt = runtime(load_settings())
    if arguments.remove:
        removed = remove_samples(rt)
        print(f"removed {removed.cohorts} sample cohort(s), {removed.accounts} made-up learner(s)")
        return 0
    content = validate_directory(rt.settings.content_dir).content
    if content is None:
        raise UsageError("the course has errors: see python -m modules validate")
    try:
        made = create_sample_cohort(rt, content, arguments.owner, time_zone=arguments.time_zone)
    except (InvalidInput, CohortError) as error:
        raise UsageError(str(error)) from None
    print(
        f"created {made.cohort.name!r} (cohort {made.cohort.id}) for {arguments.owner.strip()}:"
        f" {made.learners} made-up learners, {made.modules_finished} modules finished."
        " It is on the Cohorts page; remove it with: python -m progress demo --remove"
    )
    if rt.settings.min_group > 6:
        print(f"note: with ALLY_MIN_GROUP={rt.settings.min_group} some figures stay withheld")
    return 0


def _xapi(arguments: argparse.Namespace) -> int:
    # Imported here: the other commands need no course content and no services.
    from modules.course.validation import validate_directory
    from modules.services.runtime import runtime
    from modules.services.xapi_export import export_statements, parse_since
    from progress import xapi_repo

    rt = runtime(load_settings())
    if arguments.action == "status":
        with rt.transaction() as session:
            counts = xapi_repo.counts(session)
        note = "" if rt.settings.lrs else " (ALLY_LRS_URL is not set: nothing is queued)"
        print(f"{counts.pending} pending, {counts.sent} sent, {counts.rejected} rejected{note}")
        return 0
    try:
        since = parse_since(arguments.since)
    except ValueError as error:
        raise UsageError(str(error)) from None
    content = validate_directory(rt.settings.content_dir).content
    if content is None:
        raise UsageError("the course has errors: see python -m modules validate")
    if arguments.output is None:
        written = export_statements(rt, content, since, sys.stdout)
    else:
        with open(arguments.output, "w", encoding="utf-8", newline="\n") as out:
            written = export_statements(rt, content, since, out)
    print(f"{written} statement(s) since {since.isoformat()}", file=sys.stderr)
    return 0


def _name_problem(name: str) -> str | None:
    return None if name.strip() else "The display name is empty."


def _read_password(stdin: TextIO) -> str:
    if stdin.isatty():
        return getpass.getpass("Password: ")
    line = stdin.readline()
    if not line:
        raise UsageError("no password on standard input")
    return line.removesuffix("\n").removesuffix("\r")


def _revision(message: str) -> int:
    path = new_revision(message)
    print(f"wrote {path}: read it through before committing")
    return 0


def _fail(message: str, status: int) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
