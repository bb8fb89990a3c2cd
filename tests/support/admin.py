"""Administration steps as a client runs them: the registry upload (multipart), admin logins."""

from __future__ import annotations

import json

from tests.support.api import PASSWORD, Api

IMPORT_REGISTRY = """
mutation($file: Upload!) {
  importRegistry(file: $file) {
    imported registry { entries loadedBy fileName loadedAt }
    rejectedRows { line code error message } rejectedCount
    errors { code field message }
  }
}"""


async def upload_registry(api: Api, token: str, content: bytes, name: str = "registry.csv", *,
                          preflight: bool = True):
    """importRegistry as a browser sends it: operations + map + the file."""
    operations = {"query": IMPORT_REGISTRY, "variables": {"file": None}}
    headers = {"Authorization": f"Bearer {token}"}
    if preflight:
        headers["GraphQL-Require-Preflight"] = "1"
    return await api.client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (name, content, "text/csv")},
        headers=headers,
    )


async def import_registry(api: Api, token: str, content: bytes, name: str = "registry.csv") -> dict:
    """The importRegistry payload (no GraphQL-level error allowed)."""
    response = await upload_registry(api, token, content, name)
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["importRegistry"]


def registry_csv(*rows: tuple[str, str], header: bool = True) -> bytes:
    lines = (["name,code"] if header else []) + [f"{name},{code}" for name, code in rows]
    return ("\n".join(lines) + "\n").encode()


async def change_password(api: Api, token: str, current: str, new: str = PASSWORD + "x") -> dict:
    return (await api("""mutation($c: String!, $n: String!) {
        changePassword(currentPassword: $c, newPassword: $n) { ok errors { code field } } }""",
                      {"c": current, "n": new}, token))["changePassword"]
