"""Every change is attributed (STYLE.md rule 4), by one mechanism: statement-level triggers.

Each audited table gets three AFTER ... FOR EACH STATEMENT triggers with transition tables, so a
form save, an API write, a COPY-and-upsert of 100,000 rows or an admin edit all land in
`portal_auditevent` in one set-based INSERT per statement. Who did it comes from session settings
that `audit_context()` sets (the middleware for web/API requests, services for imports and jobs).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, ParamSpec, TypeVar

import psycopg2.extensions
from django.core.exceptions import PermissionDenied
from django.db import connection, migrations, transaction

from portal.choices import AuditVia
from portal.permissions import has_capability

AUDIT_FUNCTION_SQL = r"""
CREATE OR REPLACE FUNCTION portal_audit_statement() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
    v_actor bigint := nullif(current_setting('portal.actor_id', true), '')::bigint;
    v_via text := coalesce(nullif(current_setting('portal.via', true), ''), 'system');
    v_ip inet := nullif(current_setting('portal.ip', true), '')::inet;
    v_context text := coalesce(current_setting('portal.context', true), '');
    v_ignored text[] := coalesce(TG_ARGV::text[], '{}');
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO portal_auditevent (occurred_at, table_name, object_id, action, changes, actor_id, via, ip, context)
        SELECT now(), TG_TABLE_NAME, r.j ->> 'id', 'I', r.j - v_ignored, v_actor, v_via, v_ip, v_context
        FROM (SELECT to_jsonb(n) AS j FROM audit_new n) r;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO portal_auditevent (occurred_at, table_name, object_id, action, changes, actor_id, via, ip, context)
        SELECT now(), TG_TABLE_NAME, d.object_id, 'U', d.changes, v_actor, v_via, v_ip, v_context
        FROM (
            SELECT nj ->> 'id' AS object_id,
                   (SELECT jsonb_object_agg(e.key, jsonb_build_array(oj -> e.key, e.value))
                      FROM jsonb_each(nj) e
                     WHERE e.value IS DISTINCT FROM oj -> e.key AND NOT e.key = ANY (v_ignored)) AS changes
            FROM (SELECT to_jsonb(n) AS nj FROM audit_new n) nn
            JOIN (SELECT to_jsonb(o) AS oj FROM audit_old o) oo ON oo.oj -> 'id' = nn.nj -> 'id'
        ) d
        WHERE d.changes IS NOT NULL;
    ELSE
        INSERT INTO portal_auditevent (occurred_at, table_name, object_id, action, changes, actor_id, via, ip, context)
        SELECT now(), TG_TABLE_NAME, r.j ->> 'id', 'D', r.j - v_ignored, v_actor, v_via, v_ip, v_context
        FROM (SELECT to_jsonb(o) AS j FROM audit_old o) r;
    END IF;
    RETURN NULL;
END
$fn$;
"""


def _trigger_sql(table: str, ignored: tuple[str, ...]) -> str:
    args = ", ".join(f"'{column}'" for column in ignored)
    return f"""
CREATE TRIGGER {table}_audit_ins AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION portal_audit_statement({args});
CREATE TRIGGER {table}_audit_upd AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS audit_old NEW TABLE AS audit_new
    FOR EACH STATEMENT EXECUTE FUNCTION portal_audit_statement({args});
CREATE TRIGGER {table}_audit_del AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION portal_audit_statement({args});
"""


def attach_audit(*tables: str, ignored: tuple[str, ...] = ("updated_at",)) -> migrations.RunSQL:
    """A migration operation that starts auditing `tables` (and stops on reverse)."""
    forward = "".join(_trigger_sql(table, ignored) for table in tables)
    reverse = "".join(
        f"DROP TRIGGER IF EXISTS {table}_audit_{kind} ON {table};" for table in tables for kind in ("ins", "upd", "del")
    )
    return migrations.RunSQL(forward, reverse)


# The attribution in force on each connection, innermost last. Kept on the connection wrapper
# (one per thread) so that a nested context restores the outer one instead of blanking it, and
# so that a connection re-opened in the middle of a context gets the attribution re-applied.
_STACK_ATTR = "_portal_audit_stack"
_EMPTY: tuple[int | None, str, str | None, str] = (None, "", None, "")


def _stack() -> list[tuple[int | None, str, str | None, str]]:
    stack = getattr(connection, _STACK_ATTR, None)
    if stack is None:
        stack = []
        setattr(connection, _STACK_ATTR, stack)
    return stack


@contextmanager
def audit_context(
    *, actor_id: int | None, via: str = AuditVia.SYSTEM, ip: str | None = None, context: str = ""
) -> Iterator[None]:
    """Attribute every write inside the block to `actor_id`.

    The settings are session-level, because persistent connections (CONN_MAX_AGE) outlive a
    request: on the way out the previous attribution (the enclosing context's, or none) is always
    put back, so nothing leaks to the next request or task served by the same connection. When the
    block leaves an aborted transaction behind, PostgreSQL's rollback undoes the settings itself,
    and the original database error is not masked by a failing reset.
    """
    values = (actor_id, str(via), ip or None, context[:128])
    stack = _stack()
    previous = stack[-1] if stack else _EMPTY
    _set(*values)
    stack.append(values)
    try:
        yield
    finally:
        stack.pop()
        _restore(previous)


def current_attribution() -> tuple[int | None, str, str | None, str]:
    """What the database will record for a write now: (actor_id, via, ip, context)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('portal.actor_id', true), current_setting('portal.via', true),"
            " current_setting('portal.ip', true), current_setting('portal.context', true)"
        )
        actor, via, ip, context = cursor.fetchone()
    return (int(actor) if actor else None, via or "", ip or None, context or "")


def _restore(values: tuple[int | None, str, str | None, str]) -> None:
    if connection.connection is None:
        return  # closed: the next connection starts with no settings (and re-applies the stack)
    if connection.needs_rollback or _transaction_aborted():
        return  # the rollback that must follow reverts what the block set
    _set(*values)


def _transaction_aborted() -> bool:
    raw = connection.connection
    status = getattr(raw, "get_transaction_status", None)  # psycopg2
    if status is not None:
        return status() == psycopg2.extensions.TRANSACTION_STATUS_INERROR
    info = getattr(raw, "info", None)  # psycopg 3
    return info is not None and getattr(info.transaction_status, "name", "") == "INERROR"


def _set(actor_id: int | None, via: str, ip: str | None, context: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('portal.actor_id', %s, false), set_config('portal.via', %s, false),"
            " set_config('portal.ip', %s, false), set_config('portal.context', %s, false)",
            [str(actor_id or ""), str(via), ip or "", context[:128]],
        )


def reapply_on_new_connection(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: a connection opened inside a context (the old one was closed
    by a health check or an error) gets the current attribution, so no write goes unattributed."""
    stack = getattr(connection, _STACK_ATTR, None)
    if stack:
        actor_id, via, ip, context = stack[-1]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('portal.actor_id', %s, false), set_config('portal.via', %s, false),"
                " set_config('portal.ip', %s, false), set_config('portal.context', %s, false)",
                [str(actor_id or ""), str(via), ip or "", context[:128]],
            )


# --- Write services attribute their own changes (Zulip's actions record acting_user themselves) --

P = ParamSpec("P")
R = TypeVar("R")


def attributed(acting_user: Any, *, context: str, via: str | None = None) -> AbstractContextManager[None]:
    """The attribution for a write made by `acting_user`: the request's channel and address are
    kept when the request middleware (or an enclosing service) already set them, so a form save
    reads "web", an API write "api" and a command "system", each with the acting user."""
    stack = _stack()
    outer_via, outer_ip = (stack[-1][1], stack[-1][2]) if stack else (AuditVia.SYSTEM, None)
    return audit_context(
        actor_id=getattr(acting_user, "pk", None),
        via=via or outer_via or AuditVia.SYSTEM,
        ip=outer_ip,
        context=context,
    )


def write_service(
    capability: str | None, *, message: str = "您的角色无权进行此操作"
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator for every write service `<noun>_<verb>(*, ..., acting_user)`: the capability is
    checked inside the service (so a form, the API and a command get the same answer:
    PermissionDenied with `message`), and the whole service runs in one transaction attributed to
    `acting_user` (context: the service's name). `capability=None` is for services every signed-in
    user may call (their own records); the service checks scope itself."""

    def decorate(service: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(service)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            if "acting_user" not in kwargs:
                raise TypeError(f"{service.__name__}() needs acting_user=")
            acting_user = kwargs["acting_user"]
            if capability is not None and not has_capability(acting_user, capability):
                raise PermissionDenied(message)
            with attributed(acting_user, context=service.__name__), transaction.atomic():
                return service(*args, **kwargs)

        return run

    return decorate
