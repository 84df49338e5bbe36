"""Users: ``GET /me`` for anyone, ``POST /users`` for admins."""

import anyio.to_thread
from fastapi import APIRouter, Request, status
from pydantic import Field

from agencyflow.api.deps import Admin, AnyActor, EngineDep
from agencyflow.domain.identity import Actor, Binding
from agencyflow.store.identity import create_user

router = APIRouter(tags=["users"])


class UserCreate(Binding):
    name: str = Field(min_length=1, max_length=200)


class UserCreated(Actor):
    token: str
    """The bearer token; it is stored only as a hash and shown only in this response."""


@router.get("/me", name="users.me")
async def me(actor: AnyActor) -> Actor:
    return actor


@router.post("/users", name="users.create", status_code=status.HTTP_201_CREATED)
async def create(
    body: UserCreate, _admin: Admin, engine: EngineDep, request: Request
) -> UserCreated:
    binding = Binding.model_validate(body.model_dump(exclude={"name"}))
    actor, token = await anyio.to_thread.run_sync(create_user, engine, body.name, binding)
    request.state.audit_resource = f"users/{actor.user_id}"
    return UserCreated(**actor.model_dump(), token=token)
