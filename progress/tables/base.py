"""The declarative base, its naming convention, and column types shared by every table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Dialect, ForeignKey, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID_LENGTH = 64  # content ids are slugs of 1-64 characters
VERSION_LENGTH = 128  # a content version is a hash, perhaps with its algorithm named


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database; naive datetimes are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware one")
        value = value.astimezone(UTC)
        # SQLite has no time zones: store UTC wall time, re-attached on the way out.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {value!r}")
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def one_of(column: str, values: tuple[str, ...]) -> str:
    """A CHECK expression limiting `column` to `values`."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


class LearnerRecord:
    """Columns of every learner record: whose it is and which content, by id and version."""

    # sort_order: these shared columns come first in each table, before its own.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-7)

    @declared_attr
    def user_id(cls) -> Mapped[int]:
        # Not indexed alone: each table leads a unique key or an index with user_id.
        return mapped_column(ForeignKey("users.id", ondelete="CASCADE"), sort_order=-6)

    course_id: Mapped[str] = mapped_column(String(ID_LENGTH), sort_order=-5)
    module_id: Mapped[str] = mapped_column(String(ID_LENGTH), sort_order=-4)
    step_id: Mapped[str] = mapped_column(String(ID_LENGTH), sort_order=-3)
    content_version: Mapped[str] = mapped_column(String(VERSION_LENGTH), sort_order=-2)
    # Facilitators previewing a module write here too; previews never count in progress.
    is_preview: Mapped[bool] = mapped_column(Boolean, default=False, sort_order=-1)
