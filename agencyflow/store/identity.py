"""Users and their bearer tokens. Tokens are stored only as SHA-256 hashes."""

import datetime as dt
import hashlib
import secrets

from sqlalchemy import Engine, func
from sqlmodel import Field, SQLModel, select

from agencyflow.domain.identity import Actor, Binding

from .engine import transaction
from .types import UtcDateTime, utcnow

TOKEN_PREFIX = "af_"


class UserRow(SQLModel, table=True):
    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=32)
    agency_uscc: str | None = Field(default=None, max_length=18, index=True)
    enterprise_uscc: str | None = Field(default=None, max_length=18, index=True)
    county_code: str | None = Field(default=None, max_length=6)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)

    def actor(self) -> Actor:
        assert self.id is not None
        return Actor.model_validate(
            {
                **self.model_dump(
                    include={"role", "agency_uscc", "enterprise_uscc", "county_code"}
                ),
                "user_id": self.id,
                "name": self.name,
            }
        )


class TokenRow(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(engine: Engine, name: str, binding: Binding) -> tuple[Actor, str]:
    """Create a user with one token; returns the actor and the token, shown only this once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction(engine) as session:
        user = UserRow(name=name, **binding.model_dump())
        session.add(user)
        session.flush()
        assert user.id is not None
        session.add(TokenRow(user_id=user.id, token_hash=hash_token(token)))
        return user.actor(), token


def actor_for_token(engine: Engine, token: str) -> Actor | None:
    """The actor a valid, unrevoked token belongs to, else None."""
    with transaction(engine) as session:
        user = session.exec(
            select(UserRow)
            .join(TokenRow, TokenRow.user_id == UserRow.id)  # type: ignore[arg-type]
            .where(TokenRow.token_hash == hash_token(token), TokenRow.revoked_at == None)  # noqa: E711
        ).first()
        return user.actor() if user else None


def count_users(engine: Engine) -> int:
    with transaction(engine) as session:
        return session.exec(select(func.count()).select_from(UserRow)).one()
