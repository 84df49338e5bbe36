"""``/files``: photos of hazards and of correct fixes, kept by their SHA-256 (R5)."""

import re
from pathlib import PurePath
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Depends, UploadFile, status
from fastapi.responses import FileResponse
from sqlalchemy import Engine

from agencyflow.api.deps import EngineDep, SettingsDep, allow
from agencyflow.api.params import FileIdPath
from agencyflow.api.schemas.hazards import FileUploaded
from agencyflow.api.upload_names import upload_name
from agencyflow.domain.complaints import may_handle
from agencyflow.domain.errors import NotFound, RuleViolations, Violation
from agencyflow.domain.identity import Actor, Located, may_access, may_see
from agencyflow.files import FileStore, described, sniff
from agencyflow.store import agencies, complaints, files, hazards, projects

router = APIRouter(prefix="/files", tags=["files"])

Anyone = Annotated[Actor, Depends(allow())]
IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG"}
CLAIMED_BY_EXTENSION = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@router.post("", name="files.upload", status_code=status.HTTP_201_CREATED)
async def upload(
    file: UploadFile, actor: Anyone, engine: EngineDep, settings: SettingsDep
) -> FileUploaded:
    """A JPEG or PNG photo. Its type is read from its content; its name must not claim another."""
    limit = settings.upload_max_bytes
    name = upload_name(file.filename, "")
    content = await file.read(limit + 1)
    actual = sniff(content)
    extension = PurePath(name).suffix.lower()
    claimed = CLAIMED_BY_EXTENSION.get(extension, "other" if extension else None)
    problem = None
    if len(content) > limit:
        problem = ("file.too_large", f"the file exceeds the limit of {limit} bytes")
    elif actual not in IMAGE_TYPES:
        problem = ("file.not_image", "only JPEG and PNG photos are accepted (checked by content)")
    elif claimed is not None and claimed != actual:
        problem = (
            "file.name_mismatch",
            f"the file is a {IMAGE_TYPES[actual]} image but its name {name!r} says otherwise; "
            "rename it to match",
        )
    if problem:
        raise RuleViolations([Violation(code=problem[0], field="file", message=problem[1])])
    assert actual is not None
    store = FileStore(settings.files_dir)

    def keep() -> FileUploaded:
        stored = described(content, filename=name or "photo", content_type=actual)
        files.register(engine, stored, actor.user_id, lambda: store.write(content))
        return FileUploaded(
            file_id=stored.sha256,
            size=stored.size,
            content_type=stored.content_type,
            filename=stored.filename,
            url=f"/files/{stored.sha256}",
        )

    return await anyio.to_thread.run_sync(keep)


@router.get("/{file_id}", name="files.show", response_class=FileResponse)
async def show(
    file_id: FileIdPath, actor: Anyone, engine: EngineDep, settings: SettingsDep
) -> FileResponse:
    """The file, to whoever uploaded it or may see a hazard or project that shows it; to
    anyone else it does not exist (404, as for a file never uploaded)."""
    row = (
        await anyio.to_thread.run_sync(_visible_file, engine, file_id, actor)
        if _SHA256.match(file_id)
        else None
    )
    if row is None:
        raise NotFound(f"no file {file_id}", code="file.not_found")
    return FileResponse(FileStore(settings.files_dir).path(file_id), media_type=row.content_type)


def _visible_file(engine: Engine, sha256: str, actor: Actor) -> files.StoredFileRow | None:
    row = files.get(engine, sha256)
    if row is None:
        return None
    for resource in files.uses(engine, sha256):
        kind, _, key = resource.partition("/")
        if resource == files.uploader(actor.user_id):
            return row
        shown: Located | None = None
        if kind == "hazards":
            shown = hazards.get(engine, key)
        elif kind == "projects":
            shown = projects.head(engine, key)
        elif kind == "agencies":  # an objection's or a removal request's evidence
            agency = agencies.get(engine, key)
            if agency is not None and may_access(
                actor, county_code=agency.jurisdiction_code, agency_uscc=key
            ):
                return row
        elif kind == "complaints":  # never the agency complained about: regulators only
            found = complaints.get(engine, key)
            county = found.subject.county_code if found else None
            if found is not None and may_handle(actor, county):
                return row
        elif kind == "reform":  # a reform task's evidence: the county's regulators and the city
            county = key.partition("/")[0]
            if actor.role.is_regulator and may_access(actor, county_code=county):
                return row
        if shown is not None and may_see(actor, shown):
            return row
    return None
