"""resolvers.rows: list pages and the viewer read as plain records instead of ORM instances."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, literal, select

from models import PermissionStatus, Person, Unit
from resolvers.rows import RecordColumns, record_type


def _values(model: type, **given: object) -> list[object]:
    return [given.get(attr.key) for attr in inspect(model).column_attrs]


def test_a_record_has_the_models_column_attributes_and_properties() -> None:
    record = record_type(Unit)._make(_values(Unit, id=7, name="某单位", permission_status=PermissionStatus.APPROVED))
    assert (record.id, record.name, record.permission_status) == (7, "某单位", PermissionStatus.APPROVED)
    assert record.is_permitted is True  # Unit.is_permitted, computed from the record's own column
    assert record_type(Unit)._make(_values(Unit, permission_status=PermissionStatus.SUBMITTED)).is_permitted is False
    with pytest.raises(AttributeError):  # read-only: a page can never change (or flush) what it read
        record.name = "改名"  # type: ignore[misc]


def test_read_cuts_a_row_into_records_and_values_in_order() -> None:
    columns = RecordColumns(Unit=Unit, Person=Person, extra=literal(1))
    unit, person = _values(Unit, id=3, name="甲"), _values(Person, id=9, name="张三")
    row = columns.read([*unit, *person, "x"])
    assert (row.Unit.id, row.Unit.name, row.Person.id, row.Person.name, row.extra) == (3, "甲", 9, "张三", "x")
    assert [type(c).__name__ for c in columns.columns[-1:]] == ["Label"]


def test_an_outer_join_that_found_nothing_reads_as_none() -> None:
    columns = RecordColumns(Unit=Unit, Person=Person)
    row = columns.read([*_values(Unit, id=3, name="甲"), *_values(Person)])
    assert row.Unit.id == 3 and row.Person is None


async def test_records_read_through_postgresql_equal_the_orm_instances(engine, permitted_unit) -> None:
    from sqlalchemy.ext.asyncio import AsyncSession

    columns = RecordColumns(Unit=Unit)
    async with AsyncSession(engine) as session:
        row = columns.read((await session.execute(
            select(*columns.columns).where(Unit.name == permitted_unit["name"]))).one())
        orm = (await session.scalars(select(Unit).where(Unit.name == permitted_unit["name"]))).one()
        assert {attr.key: getattr(row.Unit, attr.key) for attr in inspect(Unit).column_attrs} == \
            {attr.key: getattr(orm, attr.key) for attr in inspect(Unit).column_attrs}
    assert row.Unit.is_permitted is orm.is_permitted is True
