"""Calling a live server (tests/hostile) from a chosen source address.

Linux routes all of 127.0.0.0/8 to loopback, so a client bound to 127.0.0.2 reaches a server
on 127.0.0.1 and is seen there as 127.0.0.2: one machine plays an attacker and an owner on
different addresses, through the real socket path (no header the server might trust)."""

from __future__ import annotations

import httpx

LOGIN_ALL = """mutation($login: String!, $password: String!) {
  login(login: $login, password: $password) { token me { loginName } errors { code field message } } }"""


def graphql_from(server, address: str, query: str, variables: dict | None = None, token: str | None = None,
                 headers: dict | None = None) -> dict:
    """POST one operation from `address`; the whole JSON body."""
    sent = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(transport=transport, timeout=20) as client:
        response = client.post(f"{server.url}/graphql", json={"query": query, "variables": variables or {}},
                               headers=sent)
    assert response.status_code == 200, response.text
    return response.json()


def login_from(server, address: str, login: str, password: str, **kwargs) -> dict:
    """The `login` payload of one attempt from `address`."""
    body = graphql_from(server, address, LOGIN_ALL, {"login": login, "password": password}, **kwargs)
    assert "errors" not in body, body
    return body["data"]["login"]
