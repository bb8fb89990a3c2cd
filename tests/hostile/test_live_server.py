"""The harness itself: a served API answers GraphQL over a real socket."""

from __future__ import annotations


def test_a_live_server_answers_graphql(live_server):
    response = live_server.graphql("{ regions { code } }")
    assert response.status_code == 200
    codes = [r["code"] for r in response.json()["data"]["regions"]]
    assert "370100" in codes
