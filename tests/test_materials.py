"""上传证明材料: multipart uploads checked by content, stored by hash, downloaded with rights."""

import hashlib
import json

import pytest

from tests.support.declarations import (
    CONFIRM,
    DELETE_MATERIAL,
    PDF,
    UPLOAD,
    World,
    count,
    make_admin,
    png_bytes,
    snapshot,
)


@pytest.fixture
async def world(api, engine, services):
    return await World(api, engine, services).setup()


def stored_files(services) -> list:
    root = services.settings.upload_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def test_pdf_and_png_stored_by_hash(world, services):
    d = await world.create()
    pdf = await world.upload_ok(d["id"], PDF, "职称证书.pdf")
    assert pdf["contentType"] == "application/pdf" and pdf["size"] == len(PDF)
    assert pdf["sha256"] == hashlib.sha256(PDF).hexdigest() and pdf["fileName"] == "职称证书.pdf"
    png = await world.upload_ok(d["id"], png_bytes(), "photo.bin", mime="application/octet-stream")
    assert png["contentType"] == "image/png"
    files = stored_files(services)
    assert [f.name for f in files] == sorted([pdf["sha256"], png["sha256"]])

    response = await world.api.client.get(pdf["downloadUrl"], headers={"Authorization": f"Bearer {world.token}"})
    assert response.status_code == 200 and response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "filename*=UTF-8''%E8%81%8C%E7%A7%B0%E8%AF%81%E4%B9%A6.pdf" in response.headers["content-disposition"]
    assert await downloads_audited(world.engine) == 0  # the owner's downloads are not staff actions


async def test_renamed_text_file_refused(world, services):
    d = await world.create()
    before = await snapshot(world.engine)
    response = await world.upload(d["id"], b"just some text, not a PDF", "证书.pdf")
    payload = response.json()["data"]["uploadMaterial"]
    assert payload["material"] is None and payload["errors"][0]["code"] == "FILE_TYPE_NOT_ALLOWED"
    assert await snapshot(world.engine) == before and stored_files(services) == []


async def test_oversized_file_refused_without_filling_the_disk(world, services):
    d = await world.create()
    before = await snapshot(world.engine)
    big = PDF + b"\0" * (services.settings.max_upload_bytes + 1 - len(PDF))
    response = await world.upload(d["id"], big, "big.pdf")
    payload = response.json()["data"]["uploadMaterial"]
    assert payload["errors"][0]["code"] == "FILE_TOO_LARGE"
    assert await snapshot(world.engine) == before and stored_files(services) == []
    # Far larger bodies are cut off at the HTTP edge before reaching the resolver.
    response = await world.upload(d["id"], big + b"\0" * (1024 * 1024), "bigger.pdf")
    assert response.status_code == 413


async def test_path_separators_in_names_are_harmless(world, services):
    d = await world.create()
    material = await world.upload_ok(d["id"], PDF, "../../../etc/passwd.pdf")
    assert material["fileName"] == "passwd.pdf"
    root = services.settings.upload_dir
    assert all(root in f.parents for f in stored_files(services))


async def test_percent_encoded_file_names_are_decoded(world):
    """aiohttp percent-encodes non-ASCII names (filename="%E8%AF%81.pdf", older versions with
    filename*=utf-8''… beside it); the stored name is the decoded one."""
    d = await world.create()
    assert (await world.upload_ok(d["id"], PDF, "%E8%AF%81%E4%B9%A6.pdf"))["fileName"] == "证书.pdf"
    assert (await world.upload_ok(d["id"], PDF, "100%.pdf"))["fileName"] == "100%.pdf"  # not an escape
    assert (await world.upload_ok(d["id"], PDF, "%FF%FE.pdf"))["fileName"] == "%FF%FE.pdf"  # not UTF-8
    boundary = "zcBoundary7MA4YWxk"
    operations = json.dumps({"query": UPLOAD, "variables": {"d": d["id"], "r": None, "file": None}})
    parts = [
        ('name="operations"', operations.encode()),
        ('name="map"', b'{"0": ["variables.file"]}'),
        ("name=\"0\"; filename=\"%E8%AF%81.pdf\"; filename*=utf-8''%E8%AF%81.pdf", PDF),
    ]
    body = b"".join(f"--{boundary}\r\nContent-Disposition: form-data; {disposition}\r\n\r\n".encode()
                    + content + b"\r\n" for disposition, content in parts) + f"--{boundary}--\r\n".encode()
    response = await world.api.client.post("/graphql", content=body, headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "GraphQL-Require-Preflight": "1",
        "Authorization": f"Bearer {world.token}"})
    payload = response.json()["data"]["uploadMaterial"]
    assert payload["errors"] == [] and payload["material"]["fileName"] == "证.pdf"


async def test_multipart_without_preflight_header_refused(world, services):
    d = await world.create()
    response = await world.upload(d["id"], PDF, preflight=False)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "CSRF_HEADER_REQUIRED"
    assert await count(world.engine, "material") == 0


async def test_another_applicant_cannot_upload_download_or_delete(world):
    d = await world.create()
    material = await world.upload_ok(d["id"])
    other = await world.other_applicant()
    before = await snapshot(world.engine)
    payload = (await world.upload(d["id"], PDF, token=other)).json()["data"]["uploadMaterial"]
    assert payload["errors"][0]["code"] == "NOT_FOUND"
    data = await world.api(DELETE_MATERIAL, {"id": material["id"]}, other)
    assert data["deleteMaterial"]["errors"][0]["code"] == "NOT_FOUND"
    assert await snapshot(world.engine) == before
    response = await world.api.client.get(material["downloadUrl"], headers={"Authorization": f"Bearer {other}"})
    assert response.status_code == 404
    assert (await world.api.client.get(material["downloadUrl"])).status_code == 401


async def test_delete_material_before_confirmation_only(world):
    d = await world.complete()
    extra = await world.upload_ok(d["id"], png_bytes(), "b.png")
    data = await world.api(DELETE_MATERIAL, {"id": extra["id"]}, world.token)
    assert data["deleteMaterial"] == {"deletedMaterialId": extra["id"], "errors": []}
    assert (await world.api(CONFIRM, {"id": d["id"]}, world.token))["confirmDeclaration"]["errors"] == []
    before = await snapshot(world.engine)
    mats = await count(world.engine, "material")
    payload = (await world.upload(d["id"], PDF)).json()["data"]["uploadMaterial"]
    assert payload["errors"][0]["code"] == "DECLARATION_LOCKED"
    assert await snapshot(world.engine) == before and await count(world.engine, "material") == mats


async def test_staff_downloads_are_authorised_and_logged(world, api, services, city_admin):  # 济南: the work unit's
    d = await world.complete()
    material = (await world.api("query($id: ID!) { declaration(id: $id) { materials { downloadUrl } } }",
                                {"id": d["id"]}, world.token))["declaration"]["materials"][0]
    url = material["downloadUrl"]

    async def get(token):
        return (await api.client.get(url, headers={"Authorization": f"Bearer {token}"})).status_code

    other_city = await make_admin(api, services, "370200")
    assert await get(world.unit_token) == 404  # a draft has not reached the unit
    assert await get(city_admin) == 404
    assert (await api(CONFIRM, {"id": d["id"]}, world.token))["confirmDeclaration"]["errors"] == []
    assert await get(world.unit_token) == 200
    assert await get(city_admin) == 200
    assert await get(world.admin) == 200  # the province covers every city
    assert await get(other_city) == 404
    assert await downloads_audited(world.engine) == 3


async def downloads_audited(engine) -> int:
    from sqlalchemy import text

    async with engine.connect() as conn:
        return (await conn.execute(text(
            "SELECT count(*) FROM audit_entry WHERE action = 'material.download' AND success"))).scalar_one()
