"""上传证明材料: store proof files by content hash, attach them, serve them to who may see them."""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import aiofiles
import aiofiles.os
from sqlalchemy import select

from models import Declaration, DeclarationRecord, Material, Unit
from resolvers import audit
from resolvers.declarations import can_see_declaration, editable_declaration, visible_declarations
from resolvers.env import Env
from rules.errors import ErrorCode, RuleViolation
from rules.files import SNIFF_BYTES, sanitize_file_name, sniff_content_type

CHUNK = 64 * 1024


class UploadedFile(Protocol):
    filename: str | None

    async def read(self, size: int = -1) -> bytes: ...


@dataclass
class StoredFile:
    sha256: str
    size: int
    content_type: str


def material_path(upload_dir: Path, sha256: str) -> Path:
    """Where a content hash lives: never a client-chosen path."""
    return upload_dir / sha256[:2] / sha256


async def _first_chunk(upload: UploadedFile) -> bytes:
    head = await upload.read(CHUNK)
    while 0 < len(head) < SNIFF_BYTES:  # a short read must not hide the magic bytes
        more = await upload.read(CHUNK)
        if not more:
            break
        head += more
    return head


async def store_upload(upload: UploadedFile, upload_dir: Path, limit: int) -> StoredFile:
    """Stream to a temp file in the store while hashing; refuse at the limit without
    reading further, and refuse content that is not PDF/JPEG/PNG before writing it."""
    head = await _first_chunk(upload)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise RuleViolation(ErrorCode.FILE_TYPE_NOT_ALLOWED, field="file")
    await aiofiles.os.makedirs(upload_dir, exist_ok=True)
    temp = upload_dir / f".upload-{uuid.uuid4().hex}"
    digest, size = hashlib.sha256(), 0
    try:
        async with aiofiles.open(temp, "wb") as out:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > limit:
                    raise RuleViolation(
                        ErrorCode.FILE_TOO_LARGE, f"文件不能超过{limit // (1024 * 1024)} MB", "file"
                    )
                digest.update(chunk)
                await out.write(chunk)
                chunk = await upload.read(CHUNK)
        sha = digest.hexdigest()
        final = material_path(upload_dir, sha)
        await aiofiles.os.makedirs(final.parent, exist_ok=True)
        await aiofiles.os.replace(temp, final)  # same file system: atomic; same content, same name
    except BaseException:
        if temp.exists():
            os.unlink(temp)
        raise
    return StoredFile(sha256=sha, size=size, content_type=content_type)


async def _record_of(env: Env, declaration: Declaration, record_id: int | None) -> int | None:
    if record_id is None:
        return None
    found = await env.session.scalar(
        select(DeclarationRecord.id).where(
            DeclarationRecord.id == record_id, DeclarationRecord.declaration_id == declaration.id
        )
    )
    if found is None:
        raise RuleViolation(ErrorCode.NOT_FOUND, "记录不存在或无权访问", "recordId")
    return found


async def upload_material(
    env: Env, *, declaration_id: int, record_id: int | None, upload: UploadedFile
) -> Material:
    """Attach a proof file to the declaration, or to one of its records. Under a correction
    notice materials stay editable whatever it names (the issue: "and materials")."""
    declaration = await editable_declaration(env, declaration_id, field="declarationId")
    record = await _record_of(env, declaration, record_id)
    stored = await store_upload(upload, env.settings.upload_dir, env.settings.max_upload_bytes)
    material = Material(
        declaration_id=declaration.id,
        record_id=record,
        file_name=sanitize_file_name(upload.filename, stored.content_type),
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_at=env.clock.now(),
    )
    env.session.add(material)
    await env.session.flush()
    return material


async def delete_material(env: Env, *, material_id: int) -> int:
    """Before 确认申报 only. The file stays: another material may share its content."""
    declaration_id = await env.session.scalar(select(Material.declaration_id).where(Material.id == material_id))
    if declaration_id is None:
        raise RuleViolation(ErrorCode.NOT_FOUND, "材料不存在或无权访问", "id")
    try:
        await editable_declaration(env, declaration_id)
    except RuleViolation as exc:
        if exc.code is ErrorCode.NOT_FOUND:
            raise RuleViolation(ErrorCode.NOT_FOUND, "材料不存在或无权访问", "id") from None
        raise
    material = await env.session.get(Material, material_id)
    if material is None:  # deleted (a concurrent deleteMaterial or deleteRecord) before the lock
        raise RuleViolation(ErrorCode.NOT_FOUND, "材料不存在或无权访问", "id")
    await env.session.delete(material)
    await env.session.flush()
    return material_id


@dataclass
class Download:
    path: Path
    file_name: str
    content_type: str
    size: int


async def record_download(env: Env, material: Material, region_code: str) -> None:
    """A download by staff goes to the audit log, where the admins of the work unit's region see it."""
    await audit.record(env, "material.download", object_type="Material", object_id=material.id,
                       region_code=region_code)


async def open_download(env: Env, *, material_id: int) -> Download:
    """The file behind a material the caller may see; staff downloads are logged."""
    viewer = env.require_viewer()
    row = (await env.session.execute(
        select(Material, Declaration, Unit.region_code)
        .join(Declaration, Declaration.id == Material.declaration_id)
        .join(Unit, Unit.id == Declaration.work_unit_id)
        .where(Material.id == material_id)
    )).first()
    if row is None or not await can_see_declaration(env, row[1].id):
        raise RuleViolation(ErrorCode.NOT_FOUND)
    material = row[0]
    if viewer.person is None:
        await record_download(env, material, row[2])
    return Download(path=material_path(env.settings.upload_dir, material.sha256), file_name=material.file_name,
                    content_type=material.content_type, size=material.size)


async def visible_materials(env: Env, ids: list[int]) -> dict[int, Material]:
    """Materials by id, of declarations the caller may see: whoever may download them."""
    if env.viewer is None or not ids:
        return {}
    rows = list(await env.session.scalars(select(Material).where(Material.id.in_(ids))))
    seen = await visible_declarations(env, sorted({m.declaration_id for m in rows}))
    return {m.id: m for m in rows if m.declaration_id in seen}
