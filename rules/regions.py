"""山东省行政区划（省、16 个设区的市），代码按 GB/T 2260。

Used to scope administrators: a provincial administrator covers the whole
province, a city administrator covers only that city.  莱芜市 (371200) was merged
into 济南市 in 2019 and is deliberately absent; its code must not be reused.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "PROVINCE_CODE",
    "REGIONS",
    "Region",
    "covered_regions",
    "find_region",
    "is_city",
    "region_covers",
]

PROVINCE_CODE = "370000"


@dataclass(frozen=True)
class Region:
    """行政区划：``parent`` 为上级区划代码，省级为 None。"""

    code: str
    name: str
    parent: str | None


REGIONS: tuple[Region, ...] = (
    Region(PROVINCE_CODE, "山东省", None),
    Region("370100", "济南市", PROVINCE_CODE),
    Region("370200", "青岛市", PROVINCE_CODE),
    Region("370300", "淄博市", PROVINCE_CODE),
    Region("370400", "枣庄市", PROVINCE_CODE),
    Region("370500", "东营市", PROVINCE_CODE),
    Region("370600", "烟台市", PROVINCE_CODE),
    Region("370700", "潍坊市", PROVINCE_CODE),
    Region("370800", "济宁市", PROVINCE_CODE),
    Region("370900", "泰安市", PROVINCE_CODE),
    Region("371000", "威海市", PROVINCE_CODE),
    Region("371100", "日照市", PROVINCE_CODE),
    # 371200 莱芜市：2019 年撤销，并入济南市。
    Region("371300", "临沂市", PROVINCE_CODE),
    Region("371400", "德州市", PROVINCE_CODE),
    Region("371500", "聊城市", PROVINCE_CODE),
    Region("371600", "滨州市", PROVINCE_CODE),
    Region("371700", "菏泽市", PROVINCE_CODE),
)

_BY_CODE: dict[str, Region] = {region.code: region for region in REGIONS}


def find_region(code: str | None) -> Region | None:
    """按区划代码查找；未知代码返回 None。"""
    if code is None:
        return None
    return _BY_CODE.get(code)


def is_city(code: str | None) -> bool:
    """是否为山东省的设区的市。"""
    region = find_region(code)
    return region is not None and region.parent == PROVINCE_CODE


def region_covers(admin_region: str | None, target_region: str | None) -> bool:
    """管理区划 ``admin_region`` 是否覆盖 ``target_region``。

    The province covers itself and every city; a city covers only itself.
    Unknown codes cover nothing and are covered by nothing.
    """
    admin = find_region(admin_region)
    current = find_region(target_region)
    if admin is None:
        return False
    while current is not None:
        if current.code == admin.code:
            return True
        current = find_region(current.parent)
    return False


def covered_regions(admin_region: str | None) -> list[str]:
    """Every code of REGIONS that ``admin_region`` covers (``region_covers``), for SQL."""
    return [region.code for region in REGIONS if region_covers(admin_region, region.code)]
