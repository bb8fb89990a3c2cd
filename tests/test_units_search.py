"""工作单位模糊查询: any part of the name (1, 2, 3+ characters) or the code, ranked, paged."""

from __future__ import annotations

from sqlalchemy import text

from tests.support.units import permitted_unit, unit_with_token

SEARCH = """query($s: String, $all: Boolean = false, $first: Int, $after: String) {
  units(search: $s, includeUnpermitted: $all, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id name isPermitted } } } }"""


async def names(api, token, search, **kw):
    data = (await api(SEARCH, {"s": search, **kw}, token))["units"]
    return [e["node"]["name"] for e in data["edges"]]


async def test_fragments_of_two_three_and_more_characters(api, province_admin):
    a = await permitted_unit(api, province_admin, name="济南重型机械有限公司")
    await permitted_unit(api, province_admin, name="青岛港湾机械厂")
    await permitted_unit(api, province_admin, name="重型")
    await unit_with_token(api, name="淄博重型机械厂")  # not permitted
    token = a["token"]
    assert await names(api, token, "重型") == ["重型", "济南重型机械有限公司"]  # exact first
    assert await names(api, token, "型机械") == ["济南重型机械有限公司"]
    assert await names(api, token, "重型机械有限") == ["济南重型机械有限公司"]
    assert set(await names(api, token, "机械")) == {"济南重型机械有限公司", "青岛港湾机械厂"}
    assert await names(api, token, "港") == ["青岛港湾机械厂"]
    assert await names(api, token, "济南") == ["济南重型机械有限公司"]  # prefix match
    # Unpermitted units only when asked.
    assert "淄博重型机械厂" in await names(api, token, "重型", all=True)
    assert await names(api, token, "100%") == []  # wildcards are literal


async def test_ranking_exact_prefix_contains_and_code(api, province_admin):
    c = await permitted_unit(api, province_admin, name="山东省人民医院")
    await permitted_unit(api, province_admin, name="人民医院")
    await permitted_unit(api, province_admin, name="人民医院分院")
    assert await names(api, c["token"], "人民医院") == ["人民医院", "人民医院分院", "山东省人民医院"]
    assert await names(api, c["token"], c["uscc"]) == ["山东省人民医院"]


async def test_keyset_pages_follow_the_ranking(api, province_admin):
    first = await permitted_unit(api, province_admin, name="化工")
    for i in range(4):
        await permitted_unit(api, province_admin, name=f"第{i}化工厂")
    await permitted_unit(api, province_admin, name="化工研究院")
    seen, after = [], None
    while True:
        data = (await api(SEARCH, {"s": "化工", "first": 2, "after": after}, first["token"]))["units"]
        assert data["totalCount"] == 6
        seen += [e["node"]["name"] for e in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert seen == ["化工", "化工研究院", "第0化工厂", "第1化工厂", "第2化工厂", "第3化工厂"]


async def test_statement_count_is_constant_in_page_size(api, province_admin, statement_counter):
    u = await permitted_unit(api, province_admin, name="机械一厂")
    for i in range(5):
        await permitted_unit(api, province_admin, name=f"机械{i}分厂")
    counts = []
    for size in (1, 6):
        statement_counter.count, statement_counter.active = 0, True
        await api(SEARCH, {"s": "机械", "first": size}, u["token"])
        statement_counter.active = False
        counts.append(statement_counter.count)
    assert counts[0] == counts[1]


async def test_short_terms_use_the_gram_index(engine):
    """The plan for a 2-character term must come from the gram index, not a scan of every unit."""
    async with engine.connect() as conn:
        await conn.execute(text("SET LOCAL enable_seqscan = off"))
        # On a handful of rows the planner may walk the (permission_status, name) btree
        # instead; drop it inside this rolled-back transaction so the test asks only whether
        # the search indexes serve these predicates.
        await conn.execute(text("DROP INDEX ix_unit_permitted_name"))
        plan = "\n".join(r[0] for r in await conn.execute(text(
            "EXPLAIN SELECT id FROM unit WHERE unit_name_grams(name) @> ARRAY['机械']::text[]")))
        assert "ix_unit_name_grams" in plan
        plan = "\n".join(r[0] for r in await conn.execute(text(
            "EXPLAIN SELECT id FROM unit WHERE name LIKE '%重型机械%'")))
        assert "ix_unit_name_trgm" in plan


async def test_search_needs_login(api):
    errors = await api.errors(SEARCH, {"s": "机械"})
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
