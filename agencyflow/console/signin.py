"""Signing people in to the console: argon2 passwords, lock-out after wrong ones in a row,
sessions that end when left idle or signed out."""

import datetime as dt
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine

from agencyflow.config.settings import Settings
from agencyflow.store import logins
from agencyflow.store.types import utcnow

_hasher = PasswordHasher()
MIN_PASSWORD = 10
"""Characters a password needs at least."""


@cache
def _dummy() -> str:
    """Checked against for an unknown login, so that its answer takes as long as a known
    one's; made at the first such login, not when the app starts (a hash costs 64 MiB)."""
    return _hasher.hash("a password nobody has")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


@dataclass(frozen=True)
class SignedIn:
    token: str
    csrf: str


class Refused(Exception):
    """Why a sign-in is refused, in the words the page shows."""

    def __init__(self, message: str, *, locked: bool = False) -> None:
        super().__init__(message)
        self.locked = locked


WRONG = "登录名或密码不正确"


def sign_in(engine: Engine, settings: Settings, login: str, password: str) -> SignedIn:
    """A new session for the person, or `Refused`. A wrong password counts towards the
    lock-out; a locked login is refused whatever the password, until its time is up."""
    found = logins.login_named(engine, login)
    if found is None:
        _verify(_dummy(), password)
        raise Refused(WRONG)
    if found.locked_until is not None and found.locked_until > utcnow():
        raise Refused(_locked(found.locked_until), locked=True)
    if not _verify(found.password_hash, password):
        lock_for = dt.timedelta(minutes=settings.console_lockout_minutes)
        if logins.failed(engine, found.user_id, settings.console_lockout_failures, lock_for):
            raise Refused(_locked(utcnow() + lock_for), locked=True)
        raise Refused(WRONG)
    rehashed = _hasher.hash(password) if _hasher.check_needs_rehash(found.password_hash) else None
    token, csrf = logins.open_session(engine, found.user_id, rehashed)
    return SignedIn(token=token, csrf=csrf)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _locked(until: dt.datetime) -> str:
    minutes = max(1, round((until - utcnow()).total_seconds() / 60))
    return f"连续输错密码次数过多，账号已锁定，请约 {minutes} 分钟后再试"
