"""Set-based inserts: ``INSERT INTO … SELECT … FROM (<a queryset>)`` — rows never pass through Python.

Used by ``complaint_file_from_rows`` (one complaint per row of any queryset, idempotent by event id)
and by batch jobs that write one audit row per changed row (``audit_record_select``). Both are
generic; they live here until ``core`` offers them (``audit_record_select`` is the set-based twin
of ``core.audit.audit_record_bulk``). Works on PostgreSQL and SQLite (≥ 3.35: ``RETURNING``).
"""

import json
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any, Literal, overload

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import CharField, F, Lookup, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from psycopg.types.json import Jsonb

from core.audit import SYSTEM, Actor, target_type_of
from core.models import AuditEntry


class _EqualsAny(Lookup):
    """``lhs = ANY(%s)`` with the whole list as one array parameter (PostgreSQL); a ``str`` value
    is the text of an array literal (``'{1,2,3}'``), sent as it is and cast."""

    lookup_name = "equals_any"
    prepare_rhs = False

    # Django's stubs type lookup parameters as scalars; this lookup passes one list.
    def get_db_prep_lookup(self, value: Any, connection: BaseDatabaseWrapper) -> Any:
        return ("%s::bigint[]", [value]) if isinstance(value, str) else ("%s", [list(value)])

    def as_sql(self, compiler: Any, connection: BaseDatabaseWrapper) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def pk_in(ids: Iterable[int], *, using: str = DEFAULT_DB_ALIAS, field: str = "pk") -> "Q | Lookup[Any]":
    """A filter for "primary key in ``ids``" that stays cheap for thousands of ids: on PostgreSQL
    ``id = ANY(<one array parameter>)`` (``pk__in`` compiles and sends one placeholder per id —
    ~10× slower for 5,000), elsewhere ``pk__in``. ``field``: another path to compare, e.g.
    ``"shop__urge_tasks__pk"`` (the join it needs is the one later ``values()`` reuse)."""
    if connections[using].vendor == "postgresql":
        return _EqualsAny(F(field), list(ids))
    return Q(**{f"{field}__in": list(ids)})


def pk_in_array_text(ids: str, *, field: str = "pk") -> "Lookup[Any]":
    """PostgreSQL: "primary key in ``ids``" where ``ids`` is the text of an array literal
    (``'{1,2,3}'``, as a statement returns ``array_agg(id)::text``): one text parameter that
    psycopg sends as it is — no list of thousands of ints to parse from one statement's answer
    and adapt back for the next. ``field`` as in ``pk_in``."""
    return _EqualsAny(F(field), ids)


def _column(model: type[models.Model], name: str) -> str:
    """The database column of a concrete field (by name or attname; ``pk`` is the primary key)."""
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise ValueError(f"{model.__name__}.{name} is not a concrete field")
    return field.column


@overload
def insert_select(
    model: type[models.Model],
    rows: QuerySet[Any],
    *,
    columns: dict[str, Any],
    values: dict[str, Any] | None = ...,
    ignore_conflicts_on: str | tuple[str, ...] | None = ...,
    returning: Literal[True] = ...,
) -> list[int]: ...


@overload
def insert_select(
    model: type[models.Model],
    rows: QuerySet[Any],
    *,
    columns: dict[str, Any],
    values: dict[str, Any] | None = ...,
    ignore_conflicts_on: str | tuple[str, ...] | None = ...,
    returning: Literal[False],
) -> int: ...


def insert_select(
    model: type[models.Model],
    rows: QuerySet[Any],
    *,
    columns: dict[str, Any],
    values: dict[str, Any] | None = None,
    ignore_conflicts_on: str | tuple[str, ...] | None = None,
    returning: bool = True,
) -> list[int] | int:
    """Insert one ``model`` row per row of ``rows`` in one statement.

    ``columns`` maps fields of ``model`` to expressions (or field names) over ``rows``' model;
    every other concrete field takes ``values[name]`` or its model default, exactly as ``save()``
    would (``pre_save``: ``auto_now_add`` is set). With ``ignore_conflicts_on`` (a unique field, or
    the fields of a unique constraint), rows whose value already exists are skipped
    (``ON CONFLICT (…) DO NOTHING``).
    Returns the new primary keys, or with ``returning=False`` the number of rows inserted.
    """
    sql, params = insert_select_sql(
        model, rows, columns=columns, values=values, ignore_conflicts_on=ignore_conflicts_on, returning=returning
    )
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()] if returning else cursor.rowcount


def insert_select_source(model: type[models.Model], rows: QuerySet[Any], *, columns: dict[str, Any]) -> QuerySet[Any]:
    """The ``SELECT`` that ``insert_select`` inserts from (one ``ins_<column>`` per mapped column)."""
    from_rows = {_column(model, name): expr for name, expr in columns.items()}
    return rows.order_by().values(
        **{f"ins_{column}": F(expr) if isinstance(expr, str) else expr for column, expr in from_rows.items()}
    )


def insert_select_sql(
    model: type[models.Model],
    rows: QuerySet[Any],
    *,
    columns: dict[str, Any],
    values: dict[str, Any] | None = None,
    ignore_conflicts_on: str | tuple[str, ...] | None = None,
    returning: bool = True,
    compiled_source: tuple[str, list[Any]] | None = None,
) -> tuple[str, list[Any]]:
    """The statement ``insert_select`` runs, not run: for a caller that sends it with others
    (``chain_statements``). ``compiled_source``: the SQL of ``insert_select_source(model, rows,
    columns)`` when the caller compiled it once (``CompiledQuery``)."""
    connection = connections[rows.db]
    quote = connection.ops.quote_name
    from_rows = {_column(model, name): expr for name, expr in columns.items()}  # name or attname
    if compiled_source is None:
        source = insert_select_source(model, rows, columns=columns)
        compiled_source = source.query.get_compiler(using=rows.db).as_sql()
    source_sql, source_params = compiled_source

    select_sql, params = insert_columns_sql(
        model, {column: f"src.{quote(f'ins_{column}')}" for column in from_rows}, values=values, using=rows.db
    )
    sql = f"{select_sql} FROM ({source_sql}) src WHERE 1 = 1"  # WHERE: SQLite's ON CONFLICT parse
    if ignore_conflicts_on:
        names = (ignore_conflicts_on,) if isinstance(ignore_conflicts_on, str) else ignore_conflicts_on
        conflict = ", ".join(quote(_column(model, name)) for name in names)
        sql += f" ON CONFLICT ({conflict}) DO NOTHING"
    if returning:
        sql += f" RETURNING {quote(_column(model, 'pk'))}"
    return sql, [*params, *source_params]


def insert_columns_sql(
    model: type[models.Model], from_source: dict[str, str], *, values: dict[str, Any] | None = None, using: str = DEFAULT_DB_ALIAS
) -> tuple[str, list[Any]]:
    """``INSERT INTO <model> (<every column>) SELECT <list>`` — to be followed by ``FROM …``.
    ``from_source`` maps columns (or field names) to SQL over the source (the primary key too, if
    the source draws it); every other concrete field takes ``values[name]`` or its model default
    as a parameter, exactly as ``save()`` would (``pre_save``: ``auto_now_add`` is set). Returns
    the SQL and its parameters."""
    connection = connections[using]
    quote = connection.ops.quote_name
    given = {_column(model, name): sql for name, sql in from_source.items()}
    instance = model(**(values or {}))
    targets, select_list, params = [], [], []
    for field in model._meta.concrete_fields:
        column = field.column or ""
        if field in model._meta.db_returning_fields and column not in given:  # the auto primary key
            continue
        targets.append(quote(column))
        if column in given:
            select_list.append(given[column])
        else:
            select_list.append("%s")
            params.append(field.get_db_prep_save(field.pre_save(instance, add=True), connection))
    return f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(targets)}) SELECT {', '.join(select_list)}", params


def audit_values(
    *,
    actor: Actor,
    model: type[models.Model],
    action: str,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    at: datetime | None = None,
) -> dict[str, Any]:
    """The fields every audit row of a set-based write shares (the one place that says what a
    job's audit row holds; ``audit_record_select`` and raw statements use it)."""
    return {
        "at": at or timezone.now(),
        "target_type": target_type_of(model),
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "reason": reason,
        "actor": actor,
        "actor_label": actor.get_username() if actor is not None else SYSTEM,
    }


def audit_record_select(
    *,
    actor: Actor,
    rows: QuerySet[Any],
    action: str,
    from_status: str = "",
    to_status: str = "",
    reason: str | Any = "",
    at: datetime | None = None,
) -> int:
    """One audit row per row of ``rows`` (the changed objects), in one ``INSERT … SELECT``.
    ``reason`` may be an expression over the rows (e.g. a ``Case``). Returns the rows written."""
    columns: dict[str, Any] = {"target_id": Cast("pk", CharField())}
    values = audit_values(
        actor=actor,
        model=rows.model,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason if isinstance(reason, str) else "",
        at=at,
    )
    if not isinstance(reason, str):
        del values["reason"]
        columns["reason"] = reason
    return insert_select(AuditEntry, rows, columns=columns, values=values, returning=False)


# --- rows whose ids only the statement knows (PostgreSQL) ----------------------------------------


class Placeholder(int):
    """An id that only the statement will know (a ``nextval`` or a locked row's column), standing
    in the rows Python builds until ``bind_to_source`` swaps it for its SQL. Its digits (30 of
    them) cannot occur in any text a caller sends: every text field is shorter."""

    def __new__(cls, n: int) -> "Placeholder":
        return super().__new__(cls, -(10**29) - n)


def bind_to_source(statement: tuple[str, list[Any]], *, source: str, bind: dict[Placeholder, str]) -> tuple[str, list[Any]]:
    """One statement of ``insert_row_sql`` or ``insert_select_sql`` rewritten to write only when
    ``source`` (a ``WITH`` member of one row at most) has its row, with the ``Placeholder``
    parameters swapped for ``bind``'s SQL over that row: a placeholder itself becomes the column;
    a text or JSON parameter spelling one (an id in a title, a link, a dedupe key, an answer)
    gets the digits replaced by the column's value. ``INSERT … VALUES (…)`` becomes ``INSERT …
    SELECT … FROM <source>``; an ``INSERT … SELECT`` reads the columns through scalar subqueries
    (no row in ``source``: ``NULL``, and the caller's source then selects nothing). The SQL text
    depends only on which parameters hold placeholders, so the statement can be prepared."""
    sql, params = statement
    pieces = sql.split("%s")
    if len(pieces) != len(params) + 1 or "%%" in sql:
        raise ValueError("bind_to_source: one %s per parameter, no literal %")
    values_form = " VALUES (" in sql
    column: dict[int, str] = {
        p: (f"{source}.{expr}" if values_form else f"(SELECT {expr} FROM {source})") for p, expr in bind.items()
    }
    out: list[str] = [pieces[0]]
    kept: list[Any] = []
    for param, piece in zip(params, pieces[1:], strict=True):
        out.append(_bound(param, column, kept))
        out.append(piece)
    bound = "".join(out)
    if values_form:
        head, _, tail = bound.partition(" VALUES (")
        items, _, rest = tail.rpartition(")")
        bound = f"{head} SELECT {items} FROM {source}{rest}"
    return bound, kept


def _bound(param: Any, column: dict[int, str], kept: list[Any]) -> str:
    """The SQL for one parameter (appending what stays a parameter to ``kept``)."""
    if isinstance(param, int) and param in column:  # a field's prep value is a plain int of the same value
        return column[param]
    if isinstance(param, str):
        text, is_json = param, False
    elif isinstance(param, Jsonb):  # a JSONField's parameter
        dumped = (param.dumps or json.dumps)(param.obj)
        text, is_json = dumped.decode() if isinstance(dumped, bytes) else dumped, True
    else:
        kept.append(param)
        return "%s"
    holders = [p for p in column if str(int(p)) in text]
    if not holders:
        kept.append(param)
        return "%s"
    kept.append(text)
    expr = "%s::text"
    for p in holders:
        expr = f"replace({expr}, '{int(p)}', ({column[p]})::text)"
    return f"({expr})::jsonb" if is_json else expr


# --- several writes in one round trip (PostgreSQL) -----------------------------------------------


def insert_row_sql(
    instance: models.Model, *, using: str = DEFAULT_DB_ALIAS, ignore_conflicts: bool = False
) -> tuple[str, list[Any]]:
    """``INSERT … VALUES`` of one unsaved instance, every concrete field as ``save()`` would write
    it (``pre_save``: ``auto_now_add`` is set); its primary key too when the caller has set it
    (``sequence_next``). Not run: for ``chain_statements``."""
    connection = connections[using]
    quote = connection.ops.quote_name
    opts = instance._meta
    targets, params = [], []
    for field in opts.concrete_fields:
        if field.primary_key and instance.pk is None:
            continue
        targets.append(quote(field.column or ""))
        params.append(field.get_db_prep_save(field.pre_save(instance, add=True), connection))
    sql = f"INSERT INTO {quote(opts.db_table)} ({', '.join(targets)}) VALUES ({', '.join(['%s'] * len(targets))})"
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    return sql, params


def chain_statements(
    statements: list[tuple[str, list[Any]]], *, using: str = DEFAULT_DB_ALIAS, prepared: bool = False
) -> list[tuple[Any, ...]]:
    """Run several independent writes as one statement (one round trip): on PostgreSQL
    ``WITH s0 AS (…), s1 AS (…) <last>`` — data-modifying ``WITH`` members run exactly once each,
    whether or not anything reads them; elsewhere one after the other. Returns the last
    statement's rows (when it has ``RETURNING``). Statements must not depend on each other's
    effects within the chain (they share one snapshot); foreign keys are checked at commit.
    ``prepared``: through ``prepared_cursor`` (for a chain of fixed shape run on every request)."""
    connection = connections[using]
    with prepared_cursor(using) if prepared else connection.cursor() as cursor:
        if connection.vendor != "postgresql" or len(statements) == 1:
            for sql, params in statements:
                cursor.execute(sql, params)
        else:
            *first, (last_sql, last_params) = statements
            members = ", ".join(f"s{i} AS ({sql})" for i, (sql, _params) in enumerate(first))
            params = [p for _sql, ps in first for p in ps]
            cursor.execute(f"WITH {members} {last_sql}", [*params, *last_params])
        rows: list[tuple[Any, ...]] = cursor.fetchall() if cursor.description else []
        return rows


def prepared_cursor(using: str = DEFAULT_DB_ALIAS) -> CursorWrapper:
    """A cursor whose statements PostgreSQL prepares: parsed and planned once per connection and
    statement text, then only executed (server-side parameters, ``prepare=True``). For the few
    statements run on every request whose planning costs more than their execution — the urge
    ingestion's lock statement plans its coverage subqueries in ~2 ms and runs them in ~0.3 ms.
    Django's own cursors bind parameters client-side and never prepare (``prepare_threshold`` is
    off), so nothing else changes. Elsewhere than PostgreSQL: the ordinary cursor. The prepared
    statements live with the connection (``CONN_MAX_AGE``); see docs/decisions.md."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.validate_thread_sharing()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = connection.connection
        if raw.prepare_threshold is None:  # Django's default turns psycopg's preparing off, ``prepare=True`` too;
            raw.prepare_threshold = _NEVER_BY_COUNT  # its client-side cursors never prepare whatever this says
        cursor = _preparing_cursor_class()(raw)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


#: psycopg prepares a statement run this many times; only ``prepare=True`` reaches it here.
_NEVER_BY_COUNT = 2**31 - 1


@cache
def _preparing_cursor_class() -> type[Any]:
    """psycopg's server-side-binding cursor that prepares every statement it runs."""
    from psycopg import Cursor
    from psycopg._queries import PostgresQuery, _query2pg

    class FixedTextQuery(PostgresQuery):
        """psycopg converts ``%s`` to ``$n`` once per text, but not for a text over 4 kB or 50
        parameters (ORM-made, rarely repeated); these statements are few and repeated."""

        def convert(self, query: Any, vars: Any) -> None:
            if vars is None or not isinstance(query, str | bytes):
                return super().convert(query, vars)
            self.query, self._want_formats, self._order, self._parts = _query2pg(self._ensure_bytes(query), self._tx.encoding)
            self.dump(vars)

    class PreparingCursor(Cursor[Any]):
        _query_cls = FixedTextQuery

        def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None) -> Any:
            return super().execute(query, params, prepare=True, binary=binary)

        def _send_query_prepared(self, name: bytes, pgq: Any, *, binary: bool | None = None) -> None:
            self._query = pgq  # what Django's query log reads (``last_executed_query``): the ``$n`` text
            super()._send_query_prepared(name, pgq, binary=binary)

    return PreparingCursor


class CompiledQuery:
    """A queryset compiled to SQL once per process and database, then run with other values.

    Compiling a queryset with correlated subqueries (the coverage rule) costs more in Django than
    running it costs in PostgreSQL. ``build(**values)`` returns the queryset for some values; it is
    compiled once with ``samples`` — one distinct value per name, which must not occur in the
    query otherwise — and each parameter equal to a sample becomes that name's slot. The SQL must
    not depend on the values (no ``None``, no lists): ``test_compiled_query_*`` checks this for
    each use against a fresh compile."""

    def __init__(self, build: Any, **samples: Any) -> None:
        self._build = build
        self._samples = samples
        self._compiled: dict[str, tuple[str, list[tuple[bool, Any]]]] = {}

    def sql(self, *, using: str = DEFAULT_DB_ALIAS, **values: Any) -> tuple[str, list[Any]]:
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compile(using)
            self._compiled[using] = compiled
        sql, slots = compiled
        return sql, [values[slot] if named else slot for named, slot in slots]

    def _compile(self, using: str) -> tuple[str, list[tuple[bool, Any]]]:
        sql, params = self._build(**self._samples).query.get_compiler(using=using).as_sql()
        by_value = {(type(v), v): name for name, v in self._samples.items()}
        slots: list[tuple[bool, Any]] = []
        for param in params:
            name = by_value.get((type(param), param))
            slots.append((True, name) if name is not None else (False, param))
        missing = set(self._samples) - {slot for named, slot in slots if named}
        if missing:
            raise ValueError(f"CompiledQuery: the samples {sorted(missing)} do not appear as parameters")
        return sql, slots

    def is_compiled(self, using: str = DEFAULT_DB_ALIAS) -> bool:
        return using in self._compiled

    def rows(self, *, using: str = DEFAULT_DB_ALIAS, prepared: bool = False, **values: Any) -> list[tuple[Any, ...]]:
        """The query's rows for ``values``; ``prepared``: through ``prepared_cursor``."""
        sql, params = self.sql(using=using, **values)
        with prepared_cursor(using) if prepared else connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            rows: list[tuple[Any, ...]] = cursor.fetchall()
            return rows
