"""The catalogue cascade and the regions as a frontend reads them."""

CATALOG = """{ catalog { code name levels { level name titles { code name specialties { code } } }
                       specialties { code name } } }"""


async def test_catalog_cascade_in_one_request(api):
    catalog = (await api(CATALOG))["catalog"]
    assert 27 <= len(catalog) <= 30
    engineering = next(s for s in catalog if s["code"] == "ENGINEERING")
    levels = {lv["name"]: lv for lv in engineering["levels"]}
    assert [t["name"] for t in levels["副高级"]["titles"]] == ["高级工程师"]
    title = levels["副高级"]["titles"][0]
    assert title["specialties"] == [{"code": s["code"]} for s in engineering["specialties"]]
    assert len(engineering["specialties"]) >= 10


async def test_health_series_has_several_titles_per_level(api):
    catalog = (await api(CATALOG))["catalog"]
    health = next(s for s in catalog if s["code"] == "HEALTH")
    senior = next(lv for lv in health["levels"] if lv["level"] == "SENIOR")
    assert {"主任医师", "主任护师", "主任药师", "主任技师"} <= {t["name"] for t in senior["titles"]}


async def test_regions_are_the_province_and_its_sixteen_cities(api):
    regions = (await api("{ regions { code name parentCode } }"))["regions"]
    assert regions[0] == {"code": "370000", "name": "山东省", "parentCode": None}
    cities = regions[1:]
    assert len(cities) == 16 and all(c["parentCode"] == "370000" for c in cities)
    assert "371200" not in {c["code"] for c in cities}


async def test_database_copy_of_the_catalogue_matches(api, engine):
    from sqlalchemy import text

    catalog = (await api(CATALOG))["catalog"]
    titles = sum(len(lv["titles"]) for s in catalog for lv in s["levels"])
    async with engine.connect() as conn:
        stored = (await conn.execute(text("SELECT count(*) FROM catalog_title"))).scalar_one()
    assert stored == titles
