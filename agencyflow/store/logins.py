"""People's console logins and sessions (the API's bearer tokens are in `identity`).

Passwords are kept as argon2 hashes, sessions as SHA-256 hashes of their random tokens;
a login locks itself after the settings' number of wrong passwords in a row.
"""

import datetime as dt
import secrets

from sqlalchemy import Engine
from sqlmodel import Field, SQLModel, col, select, update

from agencyflow.domain.identity import Actor

from .engine import transaction
from .identity import UserRow, hash_token
from .types import UtcDateTime, utcnow


class LoginRow(SQLModel, table=True):
    __tablename__ = "console_login"

    user_id: int = Field(primary_key=True, foreign_key="app_user.id")
    login: str = Field(max_length=64, unique=True)
    password_hash: str = Field(max_length=200)
    failures: int = 0
    """Wrong passwords in a row since the last right one."""
    locked_until: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    changed_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class ConsoleSessionRow(SQLModel, table=True):
    __tablename__ = "console_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    csrf_token: str = Field(max_length=64)
    """Sent back by every form of the session (it is not a secret of the browser's cookie
    jar, so another site cannot forge it)."""
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    last_seen_at: dt.datetime = Field(sa_type=UtcDateTime)
    ended_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)


class Login(SQLModel):
    user_id: int
    password_hash: str
    failures: int
    locked_until: dt.datetime | None


def set_password(engine: Engine, user_id: int, login: str, password_hash: str) -> None:
    """Give the user a console login, or a new password; unlocks it, ends its sessions."""
    with transaction(engine) as session:
        row = session.get(LoginRow, user_id)
        if row is None:
            session.add(LoginRow(user_id=user_id, login=login, password_hash=password_hash))
        else:
            row.login, row.password_hash = login, password_hash
            row.failures, row.locked_until, row.changed_at = 0, None, utcnow()
        session.execute(
            update(ConsoleSessionRow)
            .where(
                col(ConsoleSessionRow.user_id) == user_id, col(ConsoleSessionRow.ended_at).is_(None)
            )
            .values(ended_at=utcnow())
        )


def login_named(engine: Engine, login: str) -> Login | None:
    with transaction(engine) as session:
        row = session.exec(select(LoginRow).where(LoginRow.login == login)).first()
        return Login.model_validate(row, from_attributes=True) if row else None


def failed(engine: Engine, user_id: int, lock_after: int, lock_for: dt.timedelta) -> bool:
    """Count a wrong password; whether the login is now locked."""
    with transaction(engine) as session:
        row = session.get(LoginRow, user_id)
        assert row is not None
        row.failures += 1
        if row.failures >= lock_after:
            row.locked_until, row.failures = utcnow() + lock_for, 0
        return row.locked_until is not None and row.locked_until > utcnow()


def open_session(engine: Engine, user_id: int, password_hash: str | None) -> tuple[str, str]:
    """A new session (its token and its CSRF token); the failures are forgiven, and a hash
    made under older parameters is replaced."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = utcnow()
    with transaction(engine) as session:
        row = session.get(LoginRow, user_id)
        assert row is not None
        row.failures, row.locked_until = 0, None
        if password_hash is not None:
            row.password_hash = password_hash
        session.add(
            ConsoleSessionRow(
                token_hash=hash_token(token),
                user_id=user_id,
                csrf_token=csrf,
                created_at=now,
                last_seen_at=now,
            )
        )
    return token, csrf


def session_actor(engine: Engine, token: str, idle: dt.timedelta) -> tuple[Actor, str] | None:
    """The session's person and CSRF token, if the session is live (not ended, not idle
    past ``idle``); seeing it keeps it alive."""
    now = utcnow()
    with transaction(engine) as session:
        found = session.exec(
            select(ConsoleSessionRow, UserRow)
            .join(UserRow, col(UserRow.id) == col(ConsoleSessionRow.user_id))
            .where(ConsoleSessionRow.token_hash == hash_token(token))
        ).first()
        if found is None:
            return None
        row, user = found
        if row.ended_at is not None or row.last_seen_at + idle <= now:
            return None
        row.last_seen_at = now
        return user.actor(), row.csrf_token


def end_session(engine: Engine, token: str) -> None:
    with transaction(engine) as session:
        session.execute(
            update(ConsoleSessionRow)
            .where(col(ConsoleSessionRow.token_hash) == hash_token(token))
            .values(ended_at=utcnow())
        )
