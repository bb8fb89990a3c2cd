"""Trusted documents compiled to one SQL statement each (issue 16).

A trusted document's query is known before anyone sends it, so instead of resolving its
~1,500 fields one by one through graphql-core, each root field's selection becomes one
SQL statement that builds the field's JSON in PostgreSQL (`json_build_object`, `json_agg`,
correlated subqueries for the relations), and the answer is the text PostgreSQL returns
inside `{"data": …}`, never decoded.

What compiles: a query whose every selected field is in `FIELDS` below (columns and to-one
or to-many relations of the types the frontends' hot pages read: connection pages, queue
items, declarations with their records, materials, decisions, committee and timeline,
people, units, regions) and whose root fields are in `ROOTS`. Anything else (mutations,
other root fields, a field with a resolver that is not a column or a relation, arguments on
nested fields, more than 50 fields in one object) runs on the standard path, as does every
request whose root field would refuse (not logged in, wrong kind, a bad cursor or page size,
a malformed id, bad variables): the compiled path answers only what it answers exactly as the
standard path would, and the standard path owns every error. Who sees which rows is not
defined here: the root fields page through the resolvers' own predicates and orders
(resolvers.review.review_queue_rows, resolvers.reporting.report_queue_rows, …),
declaration(id:) reads the standard path's rule (resolvers.declarations.declaration_visible_to),
and masks, ids, cursors, the effective status and what a passed correction deadline means
are the SQL twins in resolvers.projections.
Each root field binds its own parameters and pages in its own CTE, so a document may ask
for several (a unit's two queues side by side).

`@include`/`@skip` and fragments are resolved when a plan is built, with the request's
variable values; plans are built per request from the parsed document (parsed once per
worker and kept with the document), so nothing here is shared between requests but the
parsed text.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    parse,
)
from graphql.execution.values import get_argument_values, get_variable_values
from graphql.language import visitor as graphql_visitor
from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Integer,
    String,
    Text,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy import column as sql_column
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement

from core.errors import PublicError
from dataloaders.review import decided_step
from models import (
    CatalogSeries,
    CatalogSpecialty,
    CatalogTitle,
    Committee,
    CorrectionNotice,
    Declaration,
    DeclarationEvent,
    DeclarationRecord,
    Material,
    Person,
    Region,
    ReviewStep,
    Unit,
)
from resolvers import corrections as correction_resolvers
from resolvers import declarations, reporting, review, units
from resolvers import projections as sql
from resolvers.paging import SortKey, after_condition, cursor_values, page_size
from rules import catalog as catalog_rules
from rules import records as record_rules
from rules.declaration_states import DeclarationAction, allowed_actions
from rules.declaration_states import DeclarationStatus as Status
from rules.text import search_term
from schema.correction_notice import CorrectionNoticeState as NoticeState
from schema.ids import query_id
from schema.records import RECORD_ID_TYPE

MAX_OBJECT_FIELDS = 50  # json_build_object takes at most 100 arguments
DIALECT = asyncpg_dialect()


class NotCompilable(Exception):
    """This document (or this request of it) runs on the standard path."""


# --- the request's view of the document ---------------------------------------------------


@dataclass
class Scope:
    """What one request's plan is built with."""

    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]
    viewer: Any  # resolvers.env.Viewer
    today: Any  # date (Beijing): the effective status of a declaration
    max_page_size: int
    #: This request's values of the plan's bound parameters, by name.
    values: dict[str, Any] = field(default_factory=dict)
    #: What, besides the document, decides the plan's SQL (a filter given or not, a state …).
    shape: list[Any] = field(default_factory=list)
    #: The catalogue this process serves (rules.catalog.current()), whose names a plan holds.
    catalog: Any = field(default_factory=catalog_rules.current)
    #: The root field being planned: its parameters' names start with it, so two root fields
    #: of one document (a unit's review and report queues) never share a page size or filter.
    root: str = ""

    def __post_init__(self) -> None:
        # The request-wide values, bound whether or not this request builds the plan.
        person = self.viewer.person if self.viewer is not None else None
        self.values.update(viewer_person=person.id if person is not None else None, today=self.today)

    def bind(self, name: str, value: Any, type_: Any) -> Any:
        """A bound parameter of the plan (of the current root field), with this request's value."""
        name = self.root + name
        self.values[name] = value
        return bindparam(name, type_=type_)

    def selection(self, type_: GraphQLObjectType, nodes: list[FieldNode]) -> dict[str, list[FieldNode]]:
        fields: dict[str, list[FieldNode]] = {}
        for node in nodes:
            if node.selection_set is not None:
                self._collect(type_, node.selection_set, fields)
        return fields

    def _collect(self, type_: GraphQLObjectType, selection_set: SelectionSetNode,
                 fields: dict[str, list[FieldNode]]) -> None:
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                fields.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if self._applies(selection.type_condition, type_):
                    self._collect(type_, selection.selection_set, fields)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                if self._applies(fragment.type_condition, type_):
                    self._collect(type_, fragment.selection_set, fields)

    def _applies(self, condition: Any, type_: GraphQLObjectType) -> bool:
        if condition is None or condition.name.value == type_.name:
            return True
        abstract = self.schema.get_type(condition.name.value)
        return abstract is not None and not isinstance(abstract, GraphQLObjectType) \
            and self.schema.is_sub_type(abstract, type_)  # type: ignore[arg-type]

    def _included(self, node: Any) -> bool:
        for directive in node.directives or ():
            name = directive.name.value
            if name not in ("skip", "include"):
                raise NotCompilable(f"directive @{name}")
            [argument] = directive.arguments
            value = argument.value
            flag = self.variables[value.name.value] if value.kind == "variable" else value.value
            if (name == "skip") == bool(flag):
                return False
        return True


# --- objects as JSON ----------------------------------------------------------------------

#: A field's SQL: (the row it belongs to, the request, its field nodes, its GraphQL type).
Builder = Callable[[Any, Scope, list[FieldNode], GraphQLObjectType], ColumnElement[Any]]


def object_json(type_: GraphQLObjectType, row: Any, scope: Scope, nodes: list[FieldNode]) -> ColumnElement[Any]:
    """The JSON object of `type_` for `row` with the fields the nodes select."""
    fields = scope.selection(type_, nodes)
    if len(fields) > MAX_OBJECT_FIELDS:
        raise NotCompilable("too many fields")
    builders = FIELDS.get(type_.name)
    if builders is None:
        raise NotCompilable(type_.name)
    pairs: list[Any] = []
    for key, field_nodes in fields.items():
        name = field_nodes[0].name.value
        if name == "__typename":
            value: ColumnElement[Any] = literal(type_.name, String)
        else:
            build = builders.get(name)
            if build is None or any(n.arguments for n in field_nodes):
                raise NotCompilable(f"{type_.name}.{name}")
            value = build(row, scope, field_nodes, _object_type(type_, name))
        pairs += [literal(key, String), value]
    return func.json_build_object(*pairs)


def _object_type(parent: GraphQLObjectType, name: str) -> Any:
    return get_named_type(parent.fields[name].type)


def column(name: str) -> Builder:
    return lambda row, scope, nodes, type_: row.c[name]


def timestamp(name: str) -> Builder:
    return lambda row, scope, nodes, type_: sql.iso_datetime(row.c[name])


def day(name: str) -> Builder:
    return lambda row, scope, nodes, type_: sql.iso_date(row.c[name])


def node_id(type_name: str) -> Builder:
    return lambda row, scope, nodes, type_: sql.global_id(type_name, row.c.id)


def to_one(table: Any, key: Callable[[Any], Any]) -> Builder:
    """A related object: the row of `table` whose id is `key(row)` (NULL: null)."""
    def build(row: Any, scope: Scope, nodes: list[FieldNode], type_: GraphQLObjectType) -> ColumnElement[Any]:
        other = table.alias()
        return (select(object_json(type_, other, scope, nodes)).where(other.c.id == key(row))
                .correlate_except(other).scalar_subquery())
    return build


def _payload(name: str) -> Builder:
    return lambda row, scope, nodes, type_: row.c.payload[name].astext


def _catalog_name(table: Any, code: Any, scope: Scope) -> ColumnElement[str]:
    """rules.catalog.*_name(code) or "": the name of a code of the catalogue, retired ones too."""
    return sql.catalog_name(_CATALOG_KINDS[table.name], code, scope.catalog)


_CATALOG_KINDS = {"catalog_series": "series", "catalog_title": "title", "catalog_specialty": "specialty"}


def _person_builders() -> dict[str, Builder]:
    def own(row: Any, scope: Scope) -> ColumnElement[bool]:
        return row.c.id == bindparam("viewer_person", type_=BigInteger)
    return {
        "id": node_id("Person"), "name": column("name"), "sex": column("sex"),
        "idNumber": lambda row, scope, nodes, t: case((own(row, scope), row.c.id_number),
                                                      else_=sql.masked_id_number(row.c.id_number)),
        "mobile": lambda row, scope, nodes, t: case((own(row, scope), row.c.mobile),
                                                    else_=sql.masked_mobile(row.c.mobile)),
        "birthDate": lambda row, scope, nodes, t: case((own(row, scope), sql.iso_date(row.c.birth_date)),
                                                       else_=None),
        "birthYear": lambda row, scope, nodes, t: cast(func.extract("year", row.c.birth_date), Integer),
    }


def _unit_builders() -> dict[str, Builder]:
    return {
        "id": node_id("Unit"), "name": column("name"), "uscc": column("uscc"),
        "permissionStatus": column("permission_status"),
        "isPermitted": lambda row, scope, nodes, t: row.c.permission_status == "APPROVED",
        "region": _region(),
    }


def _region() -> Builder:
    def build(row: Any, scope: Scope, nodes: list[FieldNode], type_: GraphQLObjectType) -> ColumnElement[Any]:
        region = Region.__table__.alias()
        return (select(object_json(type_, region, scope, nodes)).where(region.c.code == row.c.region_code)
                .correlate_except(region).scalar_subquery())
    return build


def _statuses_allowing(action: DeclarationAction) -> list[Any]:
    """The statuses whose transitions include `action`, as SQL literals (enum names): a
    plan's SQL is compiled once, and an expanding IN list would be rendered per request."""
    return [literal_column(f"'{s.value}'") for s in Status if action in allowed_actions(s)]


_EDITABLE = _statuses_allowing(DeclarationAction.EDIT)
_WITHDRAWABLE = _statuses_allowing(DeclarationAction.WITHDRAW)


def _declaration_builders() -> dict[str, Builder]:
    def status(row: Any, scope: Scope) -> ColumnElement[str]:
        return sql.effective_status(row.c.status, row.c.correction_deadline, bindparam("today", type_=Date))

    return {
        "id": node_id("Declaration"), "year": column("year"), "seriesCode": column("series_code"),
        "seriesName": lambda row, s, n, t: _catalog_name(CatalogSeries.__table__, row.c.series_code, s),
        "level": column("level"), "titleCode": column("title_code"),
        "titleName": lambda row, s, n, t: _catalog_name(CatalogTitle.__table__, row.c.title_code, s),
        "specialtyCode": column("specialty_code"),
        "specialtyName": lambda row, s, n, t: _catalog_name(CatalogSpecialty.__table__, row.c.specialty_code, s),
        "method": column("method"), "exceptionalReason": column("exceptional_reason"),
        "formerSeriesCode": column("former_series_code"), "educationLevel": column("education_level"),
        "currentTitle": column("current_title"), "currentTitleObtainedOn": day("current_title_obtained_on"),
        "yearsInSpecialty": column("years_in_specialty"), "phone": column("phone"),
        "status": lambda row, scope, n, t: status(row, scope),
        "returnReason": column("return_reason"), "createdAt": timestamp("created_at"),
        "updatedAt": timestamp("updated_at"), "confirmedAt": timestamp("confirmed_at"),
        "acceptedAt": timestamp("accepted_at"),
        "isEditable": lambda row, scope, n, t: status(row, scope).in_(_EDITABLE),
        "canWithdraw": lambda row, scope, n, t: status(row, scope).in_(_WITHDRAWABLE),
        "applicant": to_one(Person.__table__, lambda row: row.c.person_id),
        "workUnit": to_one(Unit.__table__, lambda row: row.c.work_unit_id),
        "currentUnit": to_one(Unit.__table__, lambda row: row.c.current_unit_id),
        "qualifications": _qualifications,
    }


def _qualifications(row: Any, scope: Scope, nodes: list[FieldNode], type_: GraphQLObjectType) -> ColumnElement[Any]:
    """现专业技术资格 in entry order, as resolvers.records.qualifications_column lists them."""
    record = DeclarationRecord.__table__.alias()
    return (select(func.coalesce(func.json_agg(aggregate_order_by(object_json(type_, record, scope, nodes),
                                                               record.c.id)), literal_column("'[]'::json")))
            .where(record.c.declaration_id == row.c.id,
                   record.c.category == record_rules.RecordCategory.QUALIFICATION.value)
            .correlate_except(record).scalar_subquery())


def _qualification_builders() -> dict[str, Builder]:
    return {
        "id": node_id(RECORD_ID_TYPE), "category": column("category"),
        "createdAt": timestamp("created_at"), "updatedAt": timestamp("updated_at"),
        "seriesCode": _payload("series_code"),
        "seriesName": lambda row, s, n, t: _catalog_name(CatalogSeries.__table__,
                                                         row.c.payload["series_code"].astext, s),
        "level": _payload("level"), "titleCode": _payload("title_code"),
        "titleName": lambda row, s, n, t: _catalog_name(CatalogTitle.__table__,
                                                        row.c.payload["title_code"].astext, s),
        "obtainedOn": _payload("obtained_on"), "certificateNumber": _payload("certificate_number"),
        "issuingAuthority": _payload("issuing_authority"),
    }


def _review_builders() -> dict[str, Builder]:
    """DeclarationReview of a decided review step (schema.review_decisions)."""
    return {
        "decision": column("decision"), "reason": column("reason"),
        "reviewerName": lambda row, s, n, t: func.coalesce(row.c.reviewer_name, ""),
        "decidedAt": timestamp("decided_at"), "round": column("round"),
        "accepted": lambda row, s, n, t: row.c.committee_id.is_not(None),
        "unit": to_one(Unit.__table__, lambda row: row.c.unit_id),
    }


def _queue_item_builders() -> dict[str, Builder]:
    """QueueItem (schema.review.QueueItem.of) over a review_step row."""
    def review_of(row: Any, scope: Scope, nodes: list[FieldNode], type_: GraphQLObjectType) -> ColumnElement[Any]:
        return case((row.c.decision.is_(None), None), else_=object_json(type_, row, scope, nodes))

    def applicant(row: Any, scope: Scope, nodes: list[FieldNode], type_: GraphQLObjectType) -> ColumnElement[Any]:
        declaration = Declaration.__table__.alias()
        owner = (select(declaration.c.person_id).where(declaration.c.id == row.c.declaration_id)
                 .correlate_except(declaration).scalar_subquery())
        return to_one(Person.__table__, lambda _: owner)(row, scope, nodes, type_)

    return {
        "id": node_id("QueueItem"), "year": column("year"), "level": column("level"),
        "titleName": column("title_name"), "applicantName": column("applicant_name"),
        "confirmedAt": timestamp("confirmed_at"), "arrivedAt": timestamp("arrived_at"),
        "reportedAt": timestamp("reported_at"),
        "state": lambda row, s, n, t: func.coalesce(cast(row.c.decision, String), "PENDING"),
        "review": review_of, "applicant": applicant,
        "workUnit": to_one(Unit.__table__, lambda row: row.c.work_unit_id),
        "declaration": to_one(Declaration.__table__, lambda row: row.c.declaration_id),
    }


# --- connections --------------------------------------------------------------------------


@dataclass
class PageSource:
    """A page of rows as the standard path pages it: the visible rows, their order, the
    page size and the after-cursor's condition."""

    where: list[ColumnElement[bool]]
    order: list[Any]  # SQL ORDER BY terms
    after: ColumnElement[bool] | None
    size: Any  # the bound page size
    fetch: Any  # the bound page size + 1
    table: Any
    count_from: Any
    cursor: Callable[[Any], ColumnElement[str]]
    extra: list[Any] = field(default_factory=list)  # computed columns the page carries (a rank)
    name: str = "page"  # the page's CTE: one per root field of the statement


def connection_json(type_: GraphQLObjectType, source: PageSource, scope: Scope,
                    nodes: list[FieldNode]) -> ColumnElement[Any]:
    conditions = [*source.where, *([source.after] if source.after is not None else [])]
    page = (select(*source.table.c, *source.extra, func.row_number().over(order_by=source.order).label("n"))
            .where(*conditions).order_by(*source.order).limit(source.fetch).cte(source.name))
    fetched = select(func.count()).select_from(page).scalar_subquery()
    shown = page.c.n <= source.size
    node_type = get_named_type(type_.fields["nodes"].type)
    pairs: list[Any] = []
    for key, field_nodes in scope.selection(type_, nodes).items():
        name = field_nodes[0].name.value
        if name == "__typename":
            value: Any = literal(type_.name, String)
        elif name == "totalCount":
            value = select(func.count()).select_from(source.count_from.subquery()).scalar_subquery()
        elif name == "pageInfo":
            value = _page_info(get_named_type(type_.fields[name].type), page, fetched, source, scope, field_nodes)
        elif name == "nodes":
            value = _agg(page, shown, object_json(node_type, page, scope, field_nodes))
        elif name == "edges":
            edge_type = get_named_type(type_.fields[name].type)
            value = _agg(page, shown, _edge_json(edge_type, page, source, scope, field_nodes))
        else:
            raise NotCompilable(f"{type_.name}.{name}")
        pairs += [literal(key, String), value]
    return func.json_build_object(*pairs)


def _agg(page: Any, shown: ColumnElement[bool], item: ColumnElement[Any]) -> ColumnElement[Any]:
    return (select(func.coalesce(func.json_agg(aggregate_order_by(item, page.c.n)), literal_column("'[]'::json")))
            .where(shown).scalar_subquery())


def _edge_json(type_: GraphQLObjectType, page: Any, source: PageSource, scope: Scope,
               nodes: list[FieldNode]) -> ColumnElement[Any]:
    pairs: list[Any] = []
    for key, field_nodes in scope.selection(type_, nodes).items():
        name = field_nodes[0].name.value
        if name == "__typename":
            value: Any = literal(type_.name, String)
        elif name == "cursor":
            value = source.cursor(page)
        elif name == "node":
            value = object_json(get_named_type(type_.fields[name].type), page, scope, field_nodes)
        else:
            raise NotCompilable(f"{type_.name}.{name}")
        pairs += [literal(key, String), value]
    return func.json_build_object(*pairs)


def _page_info(type_: GraphQLObjectType, page: Any, fetched: Any, source: PageSource, scope: Scope,
               nodes: list[FieldNode]) -> ColumnElement[Any]:
    def cursor_at(position: Any) -> Any:
        return select(source.cursor(page)).where(page.c.n == position).scalar_subquery()

    values = {
        "hasNextPage": lambda: fetched > source.size,
        "hasPreviousPage": lambda: literal(source.after is not None, Boolean),
        "startCursor": lambda: cursor_at(1),
        "endCursor": lambda: cursor_at(func.least(fetched, source.size)),
        "__typename": lambda: literal(type_.name, String),
    }
    pairs: list[Any] = []
    for key, field_nodes in scope.selection(type_, nodes).items():
        name = field_nodes[0].name.value
        if name not in values:
            raise NotCompilable(f"{type_.name}.{name}")
        pairs += [literal(key, String), values[name]()]
    return func.json_build_object(*pairs)


# --- root fields --------------------------------------------------------------------------


def _page_source(scope: Scope, args: dict[str, Any], where: list[Any], keys: list[SortKey], table: Any,
                 cursor: Callable[[Any], ColumnElement[str]], extra: list[Any] | None = None) -> PageSource:
    """A keyset page as resolvers.paging.keyset_page pages it: its size and cursor checked
    the same way (a refusal is the standard path's), the values bound."""
    try:
        size = page_size(args.get("first"), scope.max_page_size)
        after = args.get("after")
        after_values = cursor_values(after, keys) if after is not None else None
    except PublicError:
        raise NotCompilable("the standard path refuses these arguments") from None
    scope.shape.append(after is not None)
    condition = None
    if after_values is not None:
        condition = after_condition(keys, tuple(scope.bind(f"after_{i}", v, k.column.type)
                                                for i, (k, v) in enumerate(zip(keys, after_values, strict=True))))
    order = [k.column.desc() if k.descending else k.column.asc() for k in keys]
    return PageSource(where=where, order=order, after=condition, size=scope.bind("size", size, Integer),
                      fetch=scope.bind("fetch", size + 1, Integer), table=table,
                      count_from=select(table.c.id).where(*where), cursor=cursor, extra=extra or [],
                      name=f"{scope.root}page")


def _viewer_may_read(scope: Scope) -> Any:
    """The logged-in viewer, when it may read (not one that must first change its password)."""
    viewer = scope.viewer
    if viewer is None or viewer.must_change_password:
        raise NotCompilable("the standard path refuses this caller")
    return viewer


def _reviewing_unit(scope: Scope) -> Any:
    """resolvers.review.require_reviewing_unit: a permitted unit, else the standard path's refusal."""
    unit = _viewer_may_read(scope).unit
    if unit is None or not unit.is_permitted:
        raise NotCompilable("the standard path refuses this caller")
    return unit


def _queue_filter(raw: Mapping[str, Any], scope: Scope) -> tuple[review.QueueFilter, tuple[bool, ...]]:
    """QueueFilterInput.plain with bound values, and which of them are given (the plan's shape)."""
    level, year, title = raw.get("level"), raw.get("year"), raw.get("titleCode") or None
    f = review.QueueFilter(
        year=scope.bind("year", year, Integer) if year is not None else None,
        level=scope.bind("level", level.value, String) if level is not None else None,
        title_code=scope.bind("title_code", title, String) if title is not None else None)
    return f, (year is not None, level is not None, title is not None)


def _review_queue(args: dict[str, Any], scope: Scope) -> PageSource:
    """reviewQueue, as schema.review.ReviewQuery.review_queue and resolvers.review.review_queue."""
    unit = _reviewing_unit(scope)
    raw = args.get("filter") or {}
    state = review.ReviewState((raw.get("state") or review.ReviewState.PENDING).value)
    f, given = _queue_filter(raw, scope)
    scope.shape.append(("reviewQueue", state, *given))
    where, keys = review.review_queue_rows(scope.bind("viewer_unit", unit.id, BigInteger), state, f)
    return _page_source(scope, args, where, keys, ReviewStep.__table__, lambda page: sql.int_cursor(page.c.id))


def _report_queue(args: dict[str, Any], scope: Scope) -> PageSource:
    """reportQueue, as schema.reporting.ReportingQuery.report_queue and resolvers.reporting.report_queue:
    the cursor is (the sort column's value, id), each value as resolvers.paging encodes it."""
    unit = _reviewing_unit(scope)
    raw = args.get("filter") or {}
    sort = reporting.ReportSort(args["sort"].value)
    descending = args["direction"].value == "DESC"
    name = raw.get("workUnitName")
    f, given = _queue_filter(raw, scope)
    scope.shape.append(("reportQueue", sort, descending, *given, bool(search_term(name))))
    where, keys = reporting.report_queue_rows(scope.bind("viewer_unit", unit.id, BigInteger), f, name, sort,
                                              descending, bind=scope.bind)
    column = keys[0].name
    return _page_source(scope, args, where, keys, ReviewStep.__table__,
                        lambda page: sql.json_cursor(page.c[column], page.c.id))


def _my_declarations(args: dict[str, Any], scope: Scope) -> PageSource:
    """myDeclarations, as resolvers.declarations.my_declarations."""
    person = _viewer_may_read(scope).person
    if person is None:
        raise NotCompilable("the standard path refuses this caller")
    scope.shape.append("myDeclarations")
    where, keys = declarations.my_declaration_rows(scope.bind("viewer_person_rows", person.id, BigInteger))
    return _page_source(scope, args, where, keys, Declaration.__table__,
                        lambda page: sql.int_cursor(page.c.year, page.c.id))


def _units(args: dict[str, Any], scope: Scope) -> PageSource:
    """units(search:), as resolvers.units.search_units."""
    _viewer_may_read(scope)
    search, region, everyone = args.get("search"), args.get("regionCode"), bool(args.get("includeUnpermitted"))
    scope.shape.append(("units", *units.unit_search_shape(search, region, everyone)))
    where, rank, keys = units.unit_search_rows(search, region, everyone, bind=scope.bind)
    return _page_source(scope, args, where, keys, Unit.__table__,
                        lambda page: sql.json_cursor(page.c.rank, page.c.name, page.c.id), extra=[rank])


ROOTS: dict[str, Callable[[dict[str, Any], Scope], PageSource | ObjectSource]] = {
    "reviewQueue": _review_queue, "reportQueue": _report_queue, "myDeclarations": _my_declarations,
    "units": _units}

FIELDS: dict[str, dict[str, Builder]] = {
    "QueueItem": _queue_item_builders(),
    "Person": _person_builders(),
    "Unit": _unit_builders(),
    "Region": {"code": column("code"), "name": column("name"), "parentCode": column("parent_code")},
    "Declaration": _declaration_builders(),
    "Qualification": _qualification_builders(),
    "DeclarationReview": _review_builders(),
}


# --- declaration(id:): one declaration and what its page reads ------------------------------
#
# The root answers the one row the standard path's rule lets the viewer read
# (resolvers.declarations.declaration_visible_to), else null; every list below is a
# correlated subquery in the order the standard path's loaders read (entry order, id order).
# These builders serve a Declaration wherever it appears (myDeclarations, QueueItem too).


@dataclass
class ObjectSource:
    """A root field answering one row of `table` where `where` holds, or null."""

    table: Any
    where: list[ColumnElement[bool]]


def object_root_json(type_: GraphQLObjectType, source: ObjectSource, scope: Scope,
                     nodes: list[FieldNode]) -> ColumnElement[Any]:
    return select(object_json(type_, source.table, scope, nodes)).where(*source.where).scalar_subquery()


def _declaration(args: dict[str, Any], scope: Scope) -> ObjectSource:
    """declaration(id:), as schema.declarations.DeclarationQuery.declaration. A malformed id
    (or another type's) is the standard path's BAD_USER_INPUT, so that request runs there."""
    viewer = _viewer_may_read(scope)
    try:
        row_id = query_id(args.get("id"), "Declaration", "id")
    except PublicError:
        raise NotCompilable("the standard path refuses this id") from None
    scope.shape.append(("declaration", declarations.visibility_shape(viewer)))
    table = Declaration.__table__  # a bound name per root field: `a: declaration(id: $x) b: declaration(id: $y)`
    return ObjectSource(table, [table.c.id == scope.bind("declaration_id", row_id, BigInteger),
                                declarations.declaration_visible_to(viewer, scope.bind)])


def _json_list(item: ColumnElement[Any], table: Any, where: list[ColumnElement[bool]],
               order: list[Any]) -> ColumnElement[Any]:
    """The JSON array of `item` over the rows of `table` where `where` holds, in `order`."""
    return (select(func.coalesce(func.json_agg(aggregate_order_by(item, *order)), literal_column("'[]'::json")))
            .where(*where).correlate_except(table).scalar_subquery())


#: schema.records.record_of: the GraphQL type of each category's records.
_RECORD_TYPES = {
    record_rules.RecordCategory.QUALIFICATION: "Qualification",
    record_rules.RecordCategory.EDUCATION: "Education",
    record_rules.RecordCategory.WORK_EXPERIENCE: "WorkExperience",
    record_rules.RecordCategory.CONTINUING_EDUCATION: "ContinuingEducation",
    record_rules.RecordCategory.ACHIEVEMENT: "Achievement",
}


def _record_json(type_: Any, record: Any, scope: Scope, nodes: list[FieldNode]) -> ColumnElement[Any]:
    """A declaration_record row as its category's type; `type_` is one of them or the
    DeclarationRecord interface (`records`, `Material.record`), whose fragments each
    category's object picks from."""
    if isinstance(type_, GraphQLObjectType):
        return object_json(type_, record, scope, nodes)
    return case(*((record.c.category == category.value,
                   object_json(typing.cast(GraphQLObjectType, scope.schema.get_type(name)), record, scope, nodes))
                  for category, name in _RECORD_TYPES.items()))


def _records(category: record_rules.RecordCategory | None) -> Builder:
    """Declaration.records (every category) or one category's list, in entry order."""
    def build(row: Any, scope: Scope, nodes: list[FieldNode], type_: GraphQLObjectType) -> ColumnElement[Any]:
        record = DeclarationRecord.__table__.alias()
        where = [record.c.declaration_id == row.c.id]
        if category is not None:
            where.append(record.c.category == category.value)
        return _json_list(_record_json(type_, record, scope, nodes), record, where, [record.c.id])
    return build


def _materials(where: Callable[[Any, Any], list[ColumnElement[bool]]]) -> Builder:
    """Materials in upload order (the loader's): of the declaration, or of one of its records."""
    def build(row: Any, scope: Scope, nodes: list[FieldNode], type_: GraphQLObjectType) -> ColumnElement[Any]:
        material = Material.__table__.alias()
        return _json_list(object_json(type_, material, scope, nodes), material, where(material, row),
                          [material.c.id])
    return build


_declaration_materials = _materials(lambda material, row: [material.c.declaration_id == row.c.id])
_record_materials = _materials(lambda material, row: [material.c.declaration_id == row.c.declaration_id,
                                                      material.c.record_id == row.c.id])


def _material_record(row: Any, scope: Scope, nodes: list[FieldNode], type_: GraphQLObjectType) -> ColumnElement[Any]:
    """Material.record: the record of the same declaration it hangs on, null when on the declaration."""
    record = DeclarationRecord.__table__.alias()
    return (select(_record_json(type_, record, scope, nodes))
            .where(record.c.id == row.c.record_id, record.c.declaration_id == row.c.declaration_id)
            .correlate_except(record).scalar_subquery())


def _reviews(row: Any, scope: Scope, nodes: list[FieldNode], type_: GraphQLObjectType) -> ColumnElement[Any]:
    """Declaration.reviews: the decided steps, oldest first (dataloaders.review.decisions_by_declaration)."""
    step = ReviewStep.__table__.alias()
    return _json_list(object_json(type_, step, scope, nodes), step,
                      [step.c.declaration_id == row.c.id, decided_step(step)], [step.c.id])


def _timeline(row: Any, scope: Scope, nodes: list[FieldNode], type_: GraphQLObjectType) -> ColumnElement[Any]:
    """Declaration.timeline: the stored events in order, then, while a passed correction
    deadline is not yet stored, the 视为放弃 step it means (DeclarationEvent.abandoned of the
    latest notice), as schema.declarations.Declaration.timeline lists them."""
    event, notice, latest = (DeclarationEvent.__table__.alias(), CorrectionNotice.__table__.alias(),
                             CorrectionNotice.__table__.alias())
    stored = (select(literal(0, Integer).label("part"), event.c.id.label("ord"),
                     cast(event.c.action, String).label("action"),
                     cast(event.c.from_status, String).label("from_status"),
                     cast(event.c.to_status, String).label("to_status"), event.c.actor_name, event.c.reason,
                     event.c.at, event.c.unit_id)
              .where(event.c.declaration_id == row.c.id).correlate(row))
    newest = (select(func.max(latest.c.id)).where(latest.c.declaration_id == row.c.id)
              .correlate_except(latest).scalar_subquery())
    effective = sql.effective_status(row.c.status, row.c.correction_deadline, bindparam("today", type_=Date))
    abandoned = (select(literal(1, Integer), notice.c.id, literal(DeclarationAction.ABANDON.value, String),
                        literal(Status.RETURNED.value, String), literal(Status.ABANDONED.value, String),
                        literal(correction_resolvers.SYSTEM_ACTOR, String), sql.abandoned_reason(notice.c.deadline),
                        sql.expired_at(notice.c.deadline), notice.c.unit_id)
                 .where(notice.c.id == newest, effective != cast(row.c.status, String)).correlate(row))
    events = union_all(stored, abandoned).subquery()
    return (select(func.coalesce(func.json_agg(aggregate_order_by(object_json(type_, events, scope, nodes),
                                                                  events.c.part, events.c.ord)),
                                 literal_column("'[]'::json")))
            .select_from(events).scalar_subquery())


def _event_builders() -> dict[str, Builder]:
    """DeclarationEvent (schema.declarations.DeclarationEvent.of): the stored columns."""
    return {
        "action": column("action"), "fromStatus": column("from_status"), "toStatus": column("to_status"),
        "actorName": column("actor_name"), "reason": column("reason"), "at": timestamp("at"),
        "unit": to_one(Unit.__table__, lambda row: row.c.unit_id),
    }


def _correction_notice(row: Any, scope: Scope, nodes: list[FieldNode],
                       type_: GraphQLObjectType) -> ColumnElement[Any]:
    """Declaration.correctionNotice: the latest notice (dataloaders.corrections), null when none."""
    notice = CorrectionNotice.__table__.alias()
    return (select(object_json(type_, notice, scope, nodes)).where(notice.c.declaration_id == row.c.id)
            .order_by(notice.c.id.desc()).limit(1).correlate_except(notice).scalar_subquery())


def _notice_builders() -> dict[str, Builder]:
    """CorrectionNotice (schema.correction_notice): state and resolvedAt judged against today."""
    def passed(row: Any) -> ColumnElement[bool]:
        return sql.deadline_passed(row.c.deadline, bindparam("today", type_=Date))

    def items(row: Any, scope: Scope, nodes: list[FieldNode], type_: GraphQLObjectType) -> ColumnElement[Any]:
        listed = row.c["items"]  # not row.c.items: that is the column collection's method
        item = (func.jsonb_array_elements(listed)
                .table_valued(sql_column("value", JSONB), with_ordinality="ord").render_derived())
        return (select(func.coalesce(func.json_agg(aggregate_order_by(object_json(type_, item, scope, nodes),
                                                                      item.c.ord)),
                                     literal_column("'[]'::json")))
                .select_from(item).correlate(row).scalar_subquery())

    return {
        "items": items, "deadline": day("deadline"),
        "expiresAt": lambda row, s, n, t: sql.iso_datetime(sql.expired_at(row.c.deadline)),
        "requestedAt": timestamp("created_at"),
        "state": lambda row, s, n, t: case((row.c.outcome.is_not(None), cast(row.c.outcome, String)),
                                           (passed(row), literal(NoticeState.ABANDONED.value, String)),
                                           else_=literal(NoticeState.OPEN.value, String)),
        "resolvedAt": lambda row, s, n, t: sql.iso_datetime(case(
            (row.c.resolved_at.is_(None) & passed(row), sql.expired_at(row.c.deadline)), else_=row.c.resolved_at)),
        "unit": to_one(Unit.__table__, lambda row: row.c.unit_id),
    }


def _correction_item_builders() -> dict[str, Builder]:
    """CorrectionItem: one element of the notice's items (a JSON array, in its order)."""
    return {
        "target": lambda row, s, n, t: row.c.value["target"].astext,
        "label": lambda row, s, n, t: sql.correction_label(row.c.value["target"].astext),
        "message": lambda row, s, n, t: row.c.value["message"].astext,
    }


def _exceptional_conditions(row: Any, scope: Scope, nodes: list[FieldNode],
                            type_: GraphQLObjectType) -> ColumnElement[Any]:
    """Declaration.exceptionalConditions: the chosen codes in their order (none: [])."""
    code = (func.unnest(row.c.exceptional_condition_codes)
            .table_valued(sql_column("code", String), with_ordinality="ord").render_derived())
    return (select(func.coalesce(func.json_agg(aggregate_order_by(object_json(type_, code, scope, nodes), code.c.ord)),
                                 literal_column("'[]'::json")))
            .select_from(code).correlate(row).scalar_subquery())


def _record_builders(**payload: Builder) -> dict[str, Builder]:
    """A record type (schema.records): the interface's fields, then the category's payload."""
    return {"id": node_id(RECORD_ID_TYPE), "category": column("category"), "createdAt": timestamp("created_at"),
            "updatedAt": timestamp("updated_at"), "materials": _record_materials, **payload}


def _payload_day(name: str) -> Builder:
    """A payload date (rules.records.parse_payload_date: an empty one is null)."""
    return lambda row, scope, nodes, type_: func.nullif(row.c.payload[name].astext, "")


def _payload_int(name: str) -> Builder:
    return lambda row, scope, nodes, type_: cast(row.c.payload[name].astext, Integer)


def _committee_builders() -> dict[str, Builder]:
    """Committee (schema.committees.Committee.of); a series name unknown to the catalogue is its code."""
    return {
        "id": node_id("Committee"), "name": column("name"), "seriesCode": column("series_code"),
        "seriesName": lambda row, s, n, t: func.coalesce(
            func.nullif(sql.catalog_name("series", row.c.series_code, s.catalog), ""), row.c.series_code),
        "levels": lambda row, s, n, t: func.array_to_json(row.c.levels),
        "region": _region(), "acceptingUnit": to_one(Unit.__table__, lambda row: row.c.accepting_unit_id),
        "active": column("active"), "updatedAt": timestamp("updated_at"),
    }


def _material_builders() -> dict[str, Builder]:
    """Material (schema.records.Material.of): columns, and the download path it writes."""
    return {
        "id": node_id("Material"), "fileName": column("file_name"), "contentType": column("content_type"),
        "size": column("size"), "sha256": column("sha256"), "uploadedAt": timestamp("uploaded_at"),
        "downloadUrl": lambda row, s, n, t: literal("/materials/", String) + cast(row.c.id, String),
        "record": _material_record,
    }


ROOTS["declaration"] = _declaration
FIELDS["Declaration"].update({
    "exceptionalConditions": _exceptional_conditions, "correctionNotice": _correction_notice,
    "records": _records(None), "educations": _records(record_rules.RecordCategory.EDUCATION),
    "workExperiences": _records(record_rules.RecordCategory.WORK_EXPERIENCE),
    "continuingEducations": _records(record_rules.RecordCategory.CONTINUING_EDUCATION),
    "achievements": _records(record_rules.RecordCategory.ACHIEVEMENT),
    "materials": _declaration_materials, "reviews": _reviews, "timeline": _timeline,
    "committee": to_one(Committee.__table__, lambda row: row.c.committee_id),
})
FIELDS["Qualification"]["materials"] = _record_materials
FIELDS.update({
    "Education": _record_builders(
        school=_payload("school"), major=_payload("major"), educationLevel=_payload("education_level"),
        degree=_payload("degree"), startDate=_payload_day("start_date"), endDate=_payload_day("end_date")),
    "WorkExperience": _record_builders(
        employer=_payload("employer"), position=_payload("position"), startDate=_payload_day("start_date"),
        endDate=_payload_day("end_date")),
    "ContinuingEducation": _record_builders(
        year=_payload_int("year"), hours=_payload_int("hours"), subject=_payload("subject"),
        provider=_payload("provider")),
    "Achievement": _record_builders(
        kind=_payload("kind"), title=_payload("title"), date=_payload_day("date"), role=_payload("role"),
        journal=_payload("journal"), publisher=_payload("publisher"), isbn=_payload("isbn"),
        issuer=_payload("issuer"), awardGrade=_payload("award_grade"), patentNumber=_payload("patent_number"),
        projectSource=_payload("project_source"), endDate=_payload_day("end_date")),
    "Material": _material_builders(),
    "Committee": _committee_builders(),
    "DeclarationEvent": _event_builders(),
    "CorrectionNotice": _notice_builders(),
    "CorrectionItem": _correction_item_builders(),
    "ExceptionalCondition": {
        "code": column("code"),
        "name": lambda row, s, n, t: func.coalesce(sql.catalog_lookup("condition", row.c.code, s.catalog),
                                                   row.c.code)},
})


# --- documents ------------------------------------------------------------------------------


@dataclass
class CompiledDocument:
    """A trusted document as the compiler keeps it: parsed once, its operations by name."""

    document: DocumentNode
    operations: dict[str | None, OperationDefinitionNode] = field(default_factory=dict)
    fragments: dict[str, FragmentDefinitionNode] = field(default_factory=dict)
    #: Variables that @include/@skip read: their values are part of a plan's key.
    directive_variables: tuple[str, ...] = ()
    #: Compiled SQL by plan key (operation, directive values, shape).
    plans: dict[Any, SQLCompiler] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str) -> "CompiledDocument":
        document = parse(text)
        compiled = cls(document)
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                name = definition.name.value if definition.name else None
                compiled.operations[name] = definition
            elif isinstance(definition, FragmentDefinitionNode):
                compiled.fragments[definition.name.value] = definition
        compiled.directive_variables = tuple(sorted(_directive_variables(document)))
        return compiled

    def operation(self, name: str | None) -> OperationDefinitionNode | None:
        if name is None:
            return next(iter(self.operations.values())) if len(self.operations) == 1 else None
        return self.operations.get(name)


def _directive_variables(document: DocumentNode) -> set[str]:
    found: set[str] = set()

    class Visitor(graphql_visitor.Visitor):
        def enter_directive(self, node: Any, *_: Any) -> None:
            for argument in node.arguments or ():
                if isinstance(argument.value, VariableNode):
                    found.add(argument.value.name.value)

    graphql_visitor.visit(document, Visitor())
    return found


@dataclass(frozen=True)
class Prepared:
    """One request's statement: the plan's SQL and this request's parameters, in order."""

    sql: str
    parameters: tuple[Any, ...]


def plan(schema: GraphQLSchema, compiled: CompiledDocument, operation_name: str | None,
         variables: dict[str, Any] | None, *, viewer: Any, today: Any, max_page_size: int) -> Prepared:
    """The one statement answering this request's `data` as JSON text; NotCompilable when
    the standard path must answer it. A plan is built and compiled once per key (the
    document's operation, the values @include/@skip read, each root field's shape); a
    request then only binds its values."""
    operation = compiled.operation(operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        raise NotCompilable("not a query of this document")
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    if isinstance(coerced, list):
        raise NotCompilable("variables the standard path refuses")
    query_type = schema.query_type
    assert query_type is not None
    scope = Scope(schema, compiled.fragments, coerced.coerced, viewer, today, max_page_size)
    roots: list[tuple[str, list[FieldNode], Any]] = []
    for key, nodes in scope.selection(query_type, [_root_node(operation)]).items():
        name = nodes[0].name.value
        if name == "__typename":
            roots.append((key, nodes, None))
            continue
        root = ROOTS.get(name)
        if root is None or len(nodes) > 1:
            raise NotCompilable(f"Query.{name}")
        try:  # e.g. a nullable variable given as null for a non-null argument (reportQueue's sort)
            args = get_argument_values(query_type.fields[name], nodes[0], coerced)
        except GraphQLError:
            raise NotCompilable("arguments the standard path refuses") from None
        scope.root = f"r{len(roots)}_"
        roots.append((key, nodes, root(args, scope)))
    # The catalogue's names are a constant of the SQL (resolvers.projections.catalog_name):
    # a plan is of one catalogue, and an installed catalogue makes new plans.
    plan_key = (operation_name, tuple(coerced.coerced.get(v) for v in compiled.directive_variables),
                tuple(scope.shape), scope.catalog)
    statement = compiled.plans.get(plan_key)
    if statement is None:
        statement = compiled.plans[plan_key] = typing.cast(
            SQLCompiler, _statement(query_type, roots, scope).compile(dialect=DIALECT))
    values: Mapping[str, Any] = statement.construct_params(scope.values) or {}
    return Prepared(statement.string, tuple(values[name] for name in statement.positiontup or ()))


def _statement(query_type: GraphQLObjectType, roots: list[tuple[str, list[FieldNode], Any]], scope: Scope) -> Any:
    pairs: list[Any] = []
    for key, nodes, source in roots:
        if source is None:
            pairs += [literal(key, String), literal(query_type.name, String)]
            continue
        field_type = get_named_type(query_type.fields[nodes[0].name.value].type)
        value = (object_root_json(field_type, source, scope, nodes) if isinstance(source, ObjectSource)
                 else connection_json(field_type, source, scope, nodes))
        pairs += [literal(key, String), value]
    return select(cast(func.json_build_object(*pairs), Text))


def _root_node(operation: OperationDefinitionNode) -> FieldNode:
    """A field node whose selection set is the operation's (to collect the root fields)."""
    return FieldNode(name=NameNode(value="query"), selection_set=operation.selection_set, directives=(),
                     arguments=())


__all__ = ["CompiledDocument", "NotCompilable", "Prepared", "plan"]
