"""Shared steps for declaration tests: an applicant who agreed to the letter, an open
year, a permitted work unit, a complete declaration, multipart uploads."""

from __future__ import annotations

import json
import zlib
from typing import Any

from sqlalchemy import text

from tests.support.api import create_admin_token
from tests.support.db import table_count

DECLARATION_FIELDS = """
  id year seriesCode level titleCode titleName specialtyCode method exceptionalReason formerSeriesCode
  educationLevel currentTitle currentTitleObtainedOn yearsInSpecialty phone status returnReason
  isEditable canWithdraw confirmedAt
  workUnit { id name } currentUnit { id name }
  records { id category materials { id fileName } }
  qualifications { id titleName obtainedOn }
  achievements { id kind title journal }
  materials { id record { id } fileName contentType size sha256 downloadUrl }
  timeline { action fromStatus toStatus actorName reason at unit { id name } }
"""
ERRORS = "errors { code field message }"

ACCEPT = "mutation($v: Int!) { acceptCommitment(version: $v) { commitment { version accepted } " + ERRORS + " } }"
OPEN_YEAR = "mutation($y: Int!) { openDeclarationYear(year: $y) { declarationYear { year isOpen } " + ERRORS + " } }"
CLOSE_YEAR = "mutation($y: Int!) { closeDeclarationYear(year: $y) { declarationYear { year isOpen } " + ERRORS + " } }"
CREATE = ("mutation($input: DeclarationInput!) { createDeclaration(input: $input) { declaration {"
          + DECLARATION_FIELDS + "} " + ERRORS + " } }")
UPDATE = ("mutation($id: ID!, $input: DeclarationInput!) { updateDeclaration(id: $id, input: $input) { declaration {"
          + DECLARATION_FIELDS + "} " + ERRORS + " } }")
CONFIRM = ("mutation($id: ID!) { confirmDeclaration(id: $id) { declaration {" + DECLARATION_FIELDS + "} "
           + ERRORS + " } }")
WITHDRAW = ("mutation($id: ID!, $reason: String) { withdrawDeclaration(id: $id, reason: $reason) { declaration {"
            + DECLARATION_FIELDS + "} " + ERRORS + " } }")
GET = "query($id: ID!) { declaration(id: $id) {" + DECLARATION_FIELDS + "} }"
MINE = "{ myDeclarations(first: 50) { totalCount edges { node {" + DECLARATION_FIELDS + "} } } }"
ADD_RECORD = ("mutation($d: ID!, $input: DeclarationRecordInput!) { addRecord(declarationId: $d, input: $input) { "
              "record { id category createdAt } " + ERRORS + " } }")
UPDATE_RECORD = ("mutation($id: ID!, $input: DeclarationRecordInput!) { updateRecord(id: $id, input: $input) { "
                 "record { id category ... on Qualification { certificateNumber } } " + ERRORS + " } }")
DELETE_RECORD = "mutation($id: ID!) { deleteRecord(id: $id) { deletedRecordId " + ERRORS + " } }"
DELETE_MATERIAL = "mutation($id: ID!) { deleteMaterial(id: $id) { deletedMaterialId " + ERRORS + " } }"
UPLOAD = ("mutation($d: ID!, $r: ID, $file: Upload!) { uploadMaterial(declarationId: $d, recordId: $r, file: $file) "
          "{ material { id record { id } fileName contentType size sha256 downloadUrl } " + ERRORS + " } }")

QUALIFICATION = {"qualification": {
    "seriesCode": "ENGINEERING", "level": "INTERMEDIATE", "titleCode": "ENGINEERING.ENGINEER",
    "obtainedOn": "2019-12-20", "certificateNumber": "鲁工中字2019001", "issuingAuthority": "济南市人力资源和社会保障局"}}

# The smallest valid files of each accepted kind.
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    ihdr = (1).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")


async def permit_unit(engine, unit_gid: str) -> None:
    """Stand-in for the permission workflow built in parallel: approve the unit directly."""
    from schema.ids import decode_id
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE unit SET permission_status = 'APPROVED' WHERE id = :id"),
                           {"id": decode_id(unit_gid, "Unit", "id")})


make_admin = create_admin_token  # (api, services, region): the same helper the make_admin fixture uses
count = table_count


async def snapshot(engine) -> dict[str, Any]:
    """Row counts and declaration rows, to assert a refusal changed nothing."""
    tables = ["declaration", "declaration_record", "material", "declaration_event", "commitment_acceptance"]
    result: dict[str, Any] = {t: await count(engine, t) for t in tables}
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT * FROM declaration ORDER BY id"))
        result["rows"] = [tuple(r) for r in rows]
        rows = await conn.execute(text("SELECT id, payload::text FROM declaration_record ORDER BY id"))
        result["records"] = [tuple(r) for r in rows]
    return result


class World:
    """An applicant who accepted the letter, an open year, a permitted unit."""

    def __init__(self, api, engine, services) -> None:
        self.api, self.engine, self.services = api, engine, services

    async def setup(self, *, accept: bool = True, year: int = 2026) -> "World":
        self.admin = await make_admin(self.api, self.services)
        data = await self.api(OPEN_YEAR, {"y": year}, self.admin)
        assert data["openDeclarationYear"]["errors"] == []
        self.unit = await self.api.register_unit()
        await permit_unit(self.engine, self.unit["id"])
        self.unit_token = await self.api.login(self.unit["loginName"])
        self.person = await self.api.register_person()
        self.token = await self.api.login(self.person["loginName"])
        if accept:
            await self.accept(self.token)
        return self

    async def accept(self, token: str) -> None:
        data = await self.api(ACCEPT, {"v": 1}, token)
        assert data["acceptCommitment"]["errors"] == []

    async def other_applicant(self) -> str:
        person = await self.api.register_person()
        token = await self.api.login(person["loginName"])
        await self.accept(token)
        return token

    def input(self, **overrides: Any) -> dict:
        return {"year": 2026, "seriesCode": "ENGINEERING", "level": "ASSOCIATE_SENIOR",
                "titleCode": "ENGINEERING.SENIOR_ENGINEER", "specialtyCode": "ENGINEERING.CIVIL",
                "method": "NORMAL", "workUnitId": self.unit["id"], "educationLevel": "BACHELOR",
                "currentTitle": "工程师", "currentTitleObtainedOn": "2019-12-20", "yearsInSpecialty": 12,
                "phone": "0531-88888888", **overrides}

    async def create(self, token: str | None = None, **overrides: Any) -> dict:
        data = await self.api(CREATE, {"input": self.input(**overrides)}, token or self.token)
        payload = data["createDeclaration"]
        assert payload["errors"] == [], payload["errors"]
        return payload["declaration"]

    async def add_record(self, declaration_id: str, record: dict, token: str | None = None) -> dict:
        return (await self.api(ADD_RECORD, {"d": declaration_id, "input": record}, token or self.token))["addRecord"]

    async def upload(self, declaration_id: str, content: bytes, name: str = "证书.pdf", *,
                     record_id: str | None = None, token: str | None = None, preflight: bool = True,
                     mime: str = "application/pdf"):
        """A GraphQL multipart request (operations + map + the file), as a browser sends it."""
        operations = {"query": UPLOAD, "variables": {"d": declaration_id, "r": record_id, "file": None}}
        headers = {"Authorization": f"Bearer {token or self.token}"}
        if preflight:
            headers["GraphQL-Require-Preflight"] = "1"
        return await self.api.client.post(
            "/graphql",
            data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
            files={"0": (name, content, mime)},
            headers=headers,
        )

    async def upload_ok(self, declaration_id: str, content: bytes = PDF, name: str = "证书.pdf", **kw) -> dict:
        response = await self.upload(declaration_id, content, name, **kw)
        payload = response.json()["data"]["uploadMaterial"]
        assert payload["errors"] == [], payload["errors"]
        return payload["material"]

    async def complete(self, **overrides: Any) -> dict:
        """A declaration ready for 确认申报: one qualification, one material."""
        declaration = await self.create(**overrides)
        assert (await self.add_record(declaration["id"], QUALIFICATION))["errors"] == []
        await self.upload_ok(declaration["id"])
        return declaration
