"""Declarative base, naming convention and the shared column types every model uses."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from sqlalchemy import DateTime, MetaData, String
from sqlalchemy.orm import DeclarativeBase, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Naive UTC now: stored the same way on SQLite and PostgreSQL."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


intpk = Annotated[int, mapped_column(primary_key=True)]
str40 = Annotated[str, mapped_column(String(40))]
str255 = Annotated[str, mapped_column(String(255))]
created_at = Annotated[dt.datetime, mapped_column(DateTime, default=utcnow, nullable=False)]
updated_at = Annotated[
    dt.datetime, mapped_column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)
]


class Base(DeclarativeBase):
    """All Chainlight models derive from this."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
