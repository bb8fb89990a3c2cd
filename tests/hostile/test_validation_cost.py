"""Issue item 2: documents whose validation alone would stall the event loop.

Under the depth, alias and token limits, 490 × `me{kind}` cost ~4 s of graphql-core's
overlapping-fields rule, and fragments that each spread the previous one twice cost
strawberry's depth limiter 2^n steps (18 of them, 1 KB: 3.5 s). schema/limits.py refuses
both before validation with QUERY_TOO_COMPLEX; bench/validation.py measures the rest.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

REPEATED = "{" + "me{kind} " * 490 + "}"


def doubling(k: int) -> str:
    fragments = ["fragment F0 on Query { __typename }"] + [
        f"fragment F{i} on Query {{ ...F{i - 1} ... on Query {{ ...F{i - 1} }} }}" for i in range(1, k + 1)
    ]
    return f"{{ ...F{k} }} " + " ".join(fragments)


def only_error(response: httpx.Response) -> dict:
    body = response.json()
    assert body.get("data") is None, body
    [error] = body["errors"]
    return error


def test_repeated_fields_are_refused_before_validation_and_health_answers(live_server):
    with ThreadPoolExecutor(4) as pool:
        # Whitespace varies so that neither the parser nor the validation cache can help.
        attacks = [pool.submit(live_server.graphql, REPEATED + " " * i) for i in range(4)]
        health = httpx.get(f"{live_server.url}/healthz", timeout=10)
        errors = [only_error(a.result()) for a in attacks]
    assert health.status_code == 200
    for error in errors:
        assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX", error
        assert "me" in error["message"]


def test_doubling_fragments_are_refused(live_server):
    # 22 doublings: four million spreads for the depth limiter, which never finished in time.
    error = only_error(live_server.graphql(doubling(22)))
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"


def test_a_spread_of_an_unknown_fragment_is_bad_input(live_server):
    # strawberry's depth limiter raised KeyError: the client read "'Nope'".
    error = only_error(live_server.graphql("{ ...Nope }"))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "Nope" in error["message"]


def test_real_documents_still_pass(live_server):
    fragment_heavy = """
    query { me { ...A ...B } regions { code name } }
    fragment A on Me { kind loginName capabilities }
    fragment B on Me { kind loginName }
    """
    body = live_server.graphql(fragment_heavy).json()
    assert "errors" not in body, body
    assert body["data"]["me"] is None
