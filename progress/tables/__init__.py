"""SQLAlchemy tables of progress/; importing this registers all of them on Base.metadata."""

from progress.tables.accounts import (
    ROLES,
    AppSecretRow,
    AuthSessionRow,
    PasswordResetRow,
    SignInAttemptRow,
    SignInClientRow,
    UserRoleRow,
    UserRow,
)
from progress.tables.base import Base, UTCDateTime
from progress.tables.cohorts import (
    JOIN_CODE_LENGTH,
    AssignmentRow,
    CohortFacilitatorRow,
    CohortMemberRow,
    CohortRow,
)
from progress.tables.journal import (
    CHECK_IN_OUTCOMES,
    SURVEY_PHASES,
    CheckInRow,
    CommitmentRow,
    ReflectionRow,
    SurveyAnswerRow,
    SurveyPhaseRow,
)
from progress.tables.learning import (
    QUALITIES,
    STEP_STATUSES,
    LearnerPositionRow,
    QuizAttemptRow,
    ScenarioAttemptRow,
    ScenarioChoiceRow,
    StepProgressRow,
)
from progress.tables.records import CertificateLookupRow, CertificateRow
from progress.tables.single_sign_on import SsoIdentityRow, SsoLoginRow, SsoReauthenticationRow
from progress.tables.tallies import FIGURE_KINDS, CohortFigureRow, CohortTallyRow
from progress.tables.xapi import OUTBOX_STATUSES, XapiOutboxRow

__all__ = [
    "CHECK_IN_OUTCOMES",
    "FIGURE_KINDS",
    "JOIN_CODE_LENGTH",
    "OUTBOX_STATUSES",
    "QUALITIES",
    "ROLES",
    "STEP_STATUSES",
    "SURVEY_PHASES",
    "AppSecretRow",
    "AssignmentRow",
    "AuthSessionRow",
    "Base",
    "CertificateLookupRow",
    "CertificateRow",
    "CheckInRow",
    "CohortFacilitatorRow",
    "CohortFigureRow",
    "CohortMemberRow",
    "CohortRow",
    "CohortTallyRow",
    "CommitmentRow",
    "LearnerPositionRow",
    "PasswordResetRow",
    "QuizAttemptRow",
    "ReflectionRow",
    "ScenarioAttemptRow",
    "ScenarioChoiceRow",
    "SignInAttemptRow",
    "SignInClientRow",
    "SsoIdentityRow",
    "SsoLoginRow",
    "SsoReauthenticationRow",
    "StepProgressRow",
    "SurveyAnswerRow",
    "SurveyPhaseRow",
    "UTCDateTime",
    "UserRoleRow",
    "UserRow",
    "XapiOutboxRow",
]
