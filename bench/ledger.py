"""Coverage ledger: full snapshot vs hand-written SQL computing the same figures; dashboard read.

    make bench BENCH_ARGS="--only ledger"                  # 200,000 enterprises (seeded once)
    make bench BENCH_ARGS="--only ledger --rows 1000000"   # the issue's size

The snapshot (assessments.snapshots.take_snapshot: the ORM's SQL for the rules written as
per-enterprise facts, then one GROUPING SETS statement over those facts, all in one transaction)
and two hand-written baselines run interleaved in the same process, so the ratio holds on a noisy
machine. Then a city-wide list behind a number, from the snapshot's facts and live. The
baselines are written without assessments.rules: their rows must equal the snapshot's, which
also checks the rules against an independent reading of docs/domain.md.
"""

from __future__ import annotations

import io
import statistics
import time

from django.core.management import call_command
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.common import setup_django

DEFAULT_ROWS = 200_000
REPEAT = 3

# Per enterprise, hand-written: the same facts as assessments.rules, from pre-aggregated CTEs.
_FACTS = """
m AS (
    SELECT workplace_id AS id,
           count(*) FILTER (WHERE status = 'FULL') AS f,
           count(*) FILTER (WHERE status = 'PROBATIONARY') AS p,
           bool_or(gender = '' OR birth_date IS NULL OR education = '' OR joined_on IS NULL) AS incomplete,
           bool_or(organization_id IS NULL AND NOT is_mobile) AS unplaced
    FROM organizations_partymember
    WHERE workplace_id IS NOT NULL AND status IN ('FULL', 'PROBATIONARY')
    GROUP BY workplace_id
),
o AS (
    SELECT ce.enterprise_id AS id,
           bool_or(po.formation = 'STANDALONE') AS st,
           bool_or(po.formation = 'JOINT') AS jo,
           bool_or(po.formation = 'STANDALONE' AND po.level = 'COMMITTEE') AS co,
           bool_or(po.formation = 'STANDALONE' AND po.level = 'GENERAL_BRANCH') AS gb
    FROM organizations_partyorganization_covered_enterprises ce
    JOIN organizations_partyorganization po ON po.id = ce.partyorganization_id
    WHERE po.established_on <= %(d)s AND (po.dissolved_on IS NULL OR po.dissolved_on > %(d)s)
    GROUP BY ce.enterprise_id
),
a AS (
    SELECT enterprise_id AS id, count(DISTINCT instructor_id) AS n
    FROM instructors_assignment
    WHERE start_on <= %(d)s AND (end_on IS NULL OR end_on >= %(d)s)
    GROUP BY enterprise_id
),
v AS (
    SELECT DISTINCT sv.enterprise_id AS id
    FROM enterprises_surveyvisit sv JOIN enterprises_surveycampaign sc ON sc.id = sv.campaign_id
    WHERE sc.is_current AND sv.visited_on <= %(d)s
),
e AS (
    SELECT x.region_id, x.carrier_id, x.kind, x.industry, x.above_scale,
           x.legal_representative_is_member AS legal_member,
           CASE WHEN x.employee_count >= 100 THEN '100' WHEN x.employee_count >= 50 THEN '50' ELSE '' END AS size_band,
           m.id IS NOT NULL AS hm, coalesce(m.f, 0) >= 3 AS h3,
           coalesce(m.f, 0) + coalesce(m.p, 0) >= 3 AS m3, a.id IS NOT NULL AS hi,
           coalesce(o.st, false) AS st, coalesce(o.jo, false) AS jo,
           coalesce(o.co, false) AS co, coalesce(o.gb, false) AS gb,
           coalesce(x.employee_count >= 50, false) AS e50, coalesce(x.employee_count >= 100, false) AS e100,
           (x.name <> '' AND x.industry <> '' AND x.address <> '' AND x.legal_representative <> ''
            AND x.employee_count IS NOT NULL AND x.registered_on IS NOT NULL
            AND (x.credit_code_check_confirmed OR ledger_credit_code_ok(x.credit_code))) AS ok,
           v.id IS NOT NULL AS vi, NOT coalesce(m.incomplete, false) AS mc, NOT coalesce(m.unplaced, false) AS mp,
           coalesce(m.f, 0) AS f, coalesce(m.p, 0) AS p, coalesce(a.n, 0) AS ai, x.employee_count AS emp
    FROM enterprises_enterprise x
    LEFT JOIN m ON m.id = x.id LEFT JOIN o ON o.id = x.id LEFT JOIN a ON a.id = x.id LEFT JOIN v ON v.id = x.id
    WHERE x.registration_status IN ('EXISTING', 'OPERATING')
)"""

FIGURE_SQL = {
    "enterprises": "true",
    "with_members": "hm",
    "without_members": "NOT hm",
    "org_covered": "hm AND (st OR jo)",
    "org_covered_standalone": "hm AND st",
    "org_covered_joint": "hm AND jo",
    "members_no_org": "hm AND NOT st AND NOT jo",
    "work_covered": "NOT hm AND (hi OR jo)",
    "work_by_instructor": "NOT hm AND hi",
    "work_by_joint": "NOT hm AND jo",
    "work_uncovered": "NOT hm AND NOT hi AND NOT jo",
    "no_members_no_instructor": "NOT hm AND NOT hi",
    "standalone_due": "h3 AND NOT st",
    "fifty_no_members": "NOT hm AND e50",
    "surveyed": "vi",
    "not_surveyed": "NOT vi",
    "clear_overall": "ok",
    "clear_member_count": "vi",
    "clear_structure": "mc",
    "clear_distribution": "mp",
    "clear_all": "ok AND vi AND mc AND mp",
    "instructor_contacted": "hi",
    "standalone": "st",
    "standalone_committee": "co",
    "standalone_general_branch": "NOT co AND gb",
    "standalone_branch": "st AND NOT co AND NOT gb",
    "joint_only": "NOT st AND jo",
    "joint_only_3plus": "NOT st AND jo AND m3",
    "no_org": "NOT st AND NOT jo",
    "no_org_due": "NOT st AND NOT jo AND h3",
    "no_org_few": "NOT st AND NOT jo AND hm AND NOT h3",
    "no_org_none": "NOT st AND NOT jo AND NOT hm",
    "fifty_plus": "e50",
    "hundred_plus": "e100",
}
SUM_SQL = {"full_members": "f", "probationary_members": "p", "instructor_assignments": "ai", "employees": "emp"}
KEYS = ("carrier_id", "kind", "industry", "above_scale", "size_band", "legal_member")
SETS = "(region_id), (region_id, kind), (region_id, industry), (region_id, above_scale), " + (
    "(region_id, size_band), (region_id, legal_member), (carrier_id)"
)
_TAG = """CASE GROUPING(carrier_id, kind, industry, above_scale, size_band, legal_member)
    WHEN 63 THEN 'region' WHEN 47 THEN 'region_kind' WHEN 55 THEN 'region_industry'
    WHEN 59 THEN 'region_above_scale' WHEN 61 THEN 'region_size' WHEN 62 THEN 'region_legal' ELSE 'carrier' END"""
_ROLLUP = """
SELECT g.dimension, a.id AS region_id, NULL::bigint AS carrier_id, g.kind, g.industry, g.above_scale, g.size_band,
       g.legal_member, {sums}
FROM g JOIN portal_region r ON r.id = g.region_id
CROSS JOIN LATERAL unnest(string_to_array(rtrim(r.path, '/'), '/')) AS ancestor(code)
JOIN portal_region a ON a.code = ancestor.code
WHERE g.dimension <> 'carrier'
GROUP BY g.dimension, a.id, g.kind, g.industry, g.above_scale, g.size_band, g.legal_member
UNION ALL
SELECT g.dimension, c.region_id, g.carrier_id, g.kind, g.industry, g.above_scale, g.size_band, g.legal_member, {plain}
FROM g JOIN enterprises_carrier c ON c.id = g.carrier_id WHERE g.dimension = 'carrier'"""

NAMES = (*FIGURE_SQL, *SUM_SQL)


def _outer() -> str:
    return _ROLLUP.format(sums=", ".join(f"sum(g.{n})" for n in NAMES), plain=", ".join(f"g.{n}" for n in NAMES))


def baseline_one_pass() -> str:
    """As the issue describes it: CTEs, count(*) FILTER, GROUPING SETS over the enterprises."""
    aggregates = [f"count(*) FILTER (WHERE {sql}) AS {name}" for name, sql in FIGURE_SQL.items()]
    aggregates += [f"coalesce(sum({sql}), 0) AS {name}" for name, sql in SUM_SQL.items()]
    return f"""WITH {_FACTS},
g AS (SELECT {_TAG} AS dimension, region_id, {", ".join(KEYS)}, {", ".join(aggregates)}
      FROM e GROUP BY GROUPING SETS ({SETS}))
{_outer()}"""


def baseline_two_stage() -> str:
    """The same with the snapshot's trick: count per finest group first, then the grouping sets."""
    aggregates = [f"count(*) FILTER (WHERE {sql}) AS {name}" for name, sql in FIGURE_SQL.items()]
    aggregates += [f"coalesce(sum({sql}), 0) AS {name}" for name, sql in SUM_SQL.items()]
    return f"""WITH {_FACTS},
fine AS (SELECT region_id, {", ".join(KEYS)}, {", ".join(aggregates)} FROM e GROUP BY region_id, {", ".join(KEYS)}),
g AS (SELECT {_TAG} AS dimension, region_id, {", ".join(KEYS)}, {", ".join(f"sum({n}) AS {n}" for n in NAMES)}
      FROM fine GROUP BY GROUPING SETS ({SETS}))
{_outer()}"""


def _normal(rows) -> list[tuple]:
    return sorted(tuple("" if v is None else str(v) for v in row) for row in rows)


def run(rows: int | None = None) -> bool:
    size = rows or DEFAULT_ROWS
    setup_django("portal_bench_ledger" if rows is None else f"portal_bench_ledger_{size}")
    # cycle: app modules load only once Django is set up (the call above)
    from assessments.choices import Dimension
    from assessments.models import LedgerRow
    from assessments.snapshots import SESSION_SETTINGS, take_snapshot
    from enterprises.models import Enterprise
    from portal.models import Region

    existing = Enterprise.objects.count()
    if existing == 0:
        started = time.perf_counter()
        call_command("seed_demo", enterprises=size, stdout=io.StringIO())
        print(f"seeded {size:,} enterprises in {time.perf_counter() - started:.0f} s")
    elif existing != size:
        print(f"note: bench database holds {existing:,} enterprises (asked for {size:,})")
    as_of = timezone.localdate()
    print(
        f"enterprises {Enterprise.objects.count():,}, as of {as_of}; "
        f"PostgreSQL work_mem/jit for the statement: {SESSION_SETTINGS}"
    )

    def time_baseline(sql: str) -> tuple[float, list]:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(SESSION_SETTINGS)
            started = time.perf_counter()
            cursor.execute(sql, {"d": as_of})
            result = cursor.fetchall()
            return time.perf_counter() - started, result

    timings: dict[str, list[float]] = {"snapshot": [], "one_pass": [], "two_stage": []}
    queries = 0
    time_baseline(baseline_two_stage())  # warm the caches for everyone
    baseline_rows: list = []
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            snapshot = take_snapshot(as_of=as_of, reason="bench")
            timings["snapshot"].append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
        elapsed, baseline_rows = time_baseline(baseline_one_pass())
        timings["one_pass"].append(elapsed)
        elapsed, two_stage_rows = time_baseline(baseline_two_stage())
        timings["two_stage"].append(elapsed)
        assert _normal(two_stage_rows) == _normal(baseline_rows)
    median = {name: statistics.median(values) for name, values in timings.items()}
    fields = ("dimension", "region_id", "carrier_id", "kind", "industry", "above_scale", "size_band", "legal_member")
    # The baselines have no "not placed below" rows (a check of their own in the tests).
    stored = (
        LedgerRow.objects.filter(snapshot=snapshot)
        .exclude(dimension=Dimension.REGION_UNPLACED)
        .values_list(*fields, *NAMES)
    )
    identical = _normal(stored) == _normal(baseline_rows)
    print(f"snapshot rows {snapshot.row_count:,}; identical to the hand-written baselines: {identical}")
    for name, values in timings.items():
        print(f"  {name:<10} median {median[name]:.2f} s  ({', '.join(f'{v:.2f}' for v in values)})")
    best = min(median["one_pass"], median["two_stage"])
    ratio = median["snapshot"] / best
    print(
        f"snapshot / best baseline = {ratio:.2f}x (goal ≤ 1.5x); "
        f"vs one-pass {median['snapshot'] / median['one_pass']:.2f}x, "
        f"vs two-stage {median['snapshot'] / median['two_stage']:.2f}x"
    )
    print(f"statements per snapshot: {queries} (independent of the number of enterprises)")

    # The dashboard's read: a district's sub-region rows of one snapshot (scoped by region path).
    district = Region.objects.filter(level="DISTRICT").order_by("path").first()
    read = (
        LedgerRow.objects.filter(snapshot=snapshot, dimension=Dimension.REGION, region__parent=district)
        .filter(region__in=district.subtree().values("id"))
        .select_related("region")
    )
    sql, params = read.query.sql_with_params()
    executions = []
    with connection.cursor() as cursor:
        for _ in range(20):
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
            plan = plan[0] if isinstance(plan, list) else plan
            executions.append(plan["Planning Time"] + plan["Execution Time"])
    read_ms = statistics.median(executions)
    print(f"dashboard read ({district.name}, {len(list(read))} rows): {read_ms:.2f} ms database time (goal < 5 ms)")
    agree = drilldown(snapshot, as_of)
    return identical and ratio <= 1.5 and read_ms < 5 and agree


def drilldown(snapshot, as_of) -> bool:
    """A city-wide list behind a number (what FigureEnterpriseListView runs: capped count, first
    page, the page's figures), from the snapshot's facts and live; the snapshot's list must be as
    long as its number."""
    # cycle: app modules load only once Django is set up (run() calls setup_django first)
    from assessments.models import LedgerRow
    from assessments.selectors import annotate_page, figure_enterprises, page_from_facts, snapshot_figure_facts
    from enterprises.models import Enterprise
    from portal.models import Region, User
    from portal.views import CountlessPaginator

    everyone = User(username="bench", is_superuser=True, is_active=True)  # sees the whole city
    city = Region.objects.filter(parent__isnull=True).order_by("path").first()
    agree = True
    for figure in ("members_no_org", "no_members_no_instructor"):
        number = getattr(LedgerRow.objects.get(snapshot=snapshot, dimension="region", region=city), figure)
        for source in ("snapshot", "live"):
            timings, count = [], 0
            for _ in range(3 if source == "snapshot" else 1):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    if source == "snapshot":  # as FigureEnterpriseListView pages the snapshot's facts
                        facts = snapshot_figure_facts(everyone, snapshot, figure, {})
                        page = Paginator(facts.order_by("region__path", "enterprise_id"), 50).page(1)
                        count = page.paginator.count
                        page_from_facts(page.object_list, everyone)
                    else:
                        enterprises = figure_enterprises(Enterprise.objects.visible_to(everyone), figure, as_of)
                        enterprises = enterprises.select_related("region", "carrier").order_by(
                            "region__path", "name", "pk"
                        )
                        page = CountlessPaginator(enterprises, 50).page(1)
                        count = page.paginator.count
                        annotate_page(page.object_list, as_of)
                    timings.append(time.perf_counter() - started)
            capped = source == "live" and count > CountlessPaginator.cap
            if source == "snapshot":
                agree = agree and count == number
            print(
                f"city-wide drill-down {figure} from {source}: {statistics.median(timings) * 1000:.0f} ms "
                f"({len(captured.captured_queries)} queries), {count:,}{'+' if capped else ''} enterprises; "
                f"the snapshot's number {number:,}"
            )
    return agree
