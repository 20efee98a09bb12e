"""The whole bill: variable cost per 10,000 cases and fixed cost per deployment per month, in USD and CNY.

Usage: python bench/cost_per_case.py [--cases 30000]
The variable part plays a synthetic prefecture-year through the services over counting adapters, with storage
over the years the county keeps its cases (TTL'd items for the days they live); the fixed part is read from
the synthesised templates of the demo (priced in USD) and yuli (in CNY) deployments (bench/cost/fixed.py).
Prices: bench/cost/prices.py, one table per region with its source and date; a price not found prints as such.
Targets: variable <= $3.50 per 10,000 cases, fixed <= $3 a month; what a case handled on time costs in state
transitions (<= 5).
"""
from __future__ import annotations

import argparse
import io
import json
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

if __name__ == "__main__":   # `python bench/cost_per_case.py`: the repository's packages on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cost import prices
from support.local_aws import app_environment

TARGET_VARIABLE = 3.50     # per 10,000 cases (USD)
TARGET_FIXED = 3.00        # per deployment per month (USD)
TARGET_TRANSITIONS = 5


def sample_photo() -> bytes:
    """A phone photo as the app uploads it: 1600 x 1200 JPEG, quality 85 (about 0.4-1 MB)."""
    from PIL import Image, ImageFilter
    noise = Image.effect_noise((1600, 1200), 60).convert("RGB").filter(ImageFilter.GaussianBlur(1.2))
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=85)
    return out.getvalue()


def measured_validation(photo: bytes):
    """Pillow's full decode is the photo worker's own time: measured here, then reused for every photo."""
    from chalicelib.adapters import images
    times = []
    for _ in range(7):
        t = time.perf_counter()
        info = images.validate(photo)
        times.append((time.perf_counter() - t) * 1000)
    ms = statistics.median(times)

    def validate(data):
        time.sleep(0)   # the decode's time is added from the measurement below, not re-spent 20,000 times
        return info
    return validate, ms


def lambda_bill(world, photo_ms: float, memory_mb: int):
    """GB-seconds per function and kind of work (the work queue's worker serves three): own time (measured) +
    waits on AWS (modelled), each invocation rounded up to 1 ms."""
    gb = memory_mb / 1024
    rows = {}
    for (function, kind), runs in world.durations.items():
        billed = []
        for own_ms, rounds in runs:
            extra = photo_ms if kind == "photo" else 0
            billed.append(math.ceil(own_ms + extra + sum(prices.LATENCY_MS[k] for k in rounds)))
        rows[(function, kind)] = (len(runs), statistics.median(billed), sum(billed) / 1000 * gb)
    return rows


def ttl_lifetimes() -> dict[str, float]:
    """Days an item of each TTL'd table lives: its TTL, plus the up to 2 days DynamoDB takes to delete an
    expired item (developer guide, "Time to Live"). Counted as stored that long, not for the year."""
    from chalicelib import workers
    from chalicelib.adapters import outbox, transaction
    from chalicelib.adapters.models import IdempotencyItem, OutboxItem, WorkerIdempotencyItem
    return {IdempotencyItem.Meta.table_name: transaction.IDEMPOTENCY_TTL_SECONDS / 86400 + 2,
            OutboxItem.Meta.table_name: outbox.DONE_TTL_SECONDS / 86400 + 2,
            WorkerIdempotencyItem.Meta.table_name: workers.DELIVERY_RECORD_SECONDS / 86400 + 2}


@dataclass
class Usage:
    """What the simulated year used, in billing units, and what its cases keep stored."""
    cases: int
    api_requests: int
    invocations: int
    gb_seconds: float
    units: dict
    kept_gb: float          # DynamoDB items (tables and indexes) a year of cases leaves, kept for years
    ttl_gb_months: float    # TTL'd items (idempotency, outbox, deliveries), for the days they live
    photo_gb: float
    photos: int
    log_gb: float


def variable_lines(usage: Usage, table: prices.PriceTable, years: int) -> dict:
    """Each line's cost for the year's cases, in the table's currency (None: a price not found)."""
    u = usage.units
    p = table.prices

    def cost(*terms):
        return None if any(price is None for price, _ in terms) else sum(price * q for price, q in terms)

    months = 12 * years   # each case's data is kept `years` from its creation
    return {
        "API Gateway (REST)": cost((p["api_rest_per_million"], usage.api_requests / 1e6)),
        "Lambda": cost((p["lambda_per_million_requests"], usage.invocations / 1e6),
                       (p["lambda_per_gb_second"], usage.gb_seconds)),
        "DynamoDB writes": cost((p["dynamodb_per_million_wru"], u[("dynamodb", "WRU")] / 1e6)),
        "DynamoDB reads": cost((p["dynamodb_per_million_rru"], u[("dynamodb", "RRU")] / 1e6)),
        f"DynamoDB storage + PITR, kept {years} years": cost(
            (p["dynamodb_per_gb_month"], usage.kept_gb * months + usage.ttl_gb_months),
            (p["dynamodb_pitr_per_gb_month"], usage.kept_gb * months + usage.ttl_gb_months)),
        "Step Functions (Standard)": cost((p["step_functions_per_thousand_transitions"],
                                           u[("stepfunctions", "transitions")] / 1000)),
        "SQS": cost((p["sqs_per_million_requests"], u[("sqs", "requests")] / 1e6)),
        f"S3 photos, kept {years} years (1 month Standard, then Glacier IR)": cost(
            (p["s3_per_thousand_put"], u[("s3", "put_requests")] / 1000),
            (p["s3_per_thousand_get"], u[("s3", "get_requests")] / 1000),
            (p["s3_glacier_ir_per_thousand_transitions"], usage.photos / 1000),
            (p["s3_per_gb_month"], usage.photo_gb), (p["s3_glacier_ir_per_gb_month"], usage.photo_gb * (months - 1))),
        "SNS topics": cost((p["sns_per_million_publishes"], u[("sns", "publishes")] / 1e6)),
        "CloudWatch Logs (ingestion, stored for the retention)": cost(
            (p["logs_ingestion_per_gb"], usage.log_gb), (p["logs_storage_per_gb_month"], usage.log_gb * 12)),
    }


# The fixed choices behind each variable line, named where the line keeps the total above its target.
FIXED_CHOICES = {   # by the start of the line's name
    "Step Functions (Standard)": "one Standard execution per timed stage (Express workflows cannot wait days; the "
                                 "75% warnings are required), transitions per stage and per notice as the ASL has them: timers outside "
                                 "Step Functions (one-time EventBridge Scheduler schedules, or a minute sweep of a "
                                 "deadline index) would take most of it",
    "DynamoDB writes": "every write one transaction with its timeline, inbox links, outbox and counters "
                       "(transactional writes cost double): non-transactional counters (recounted, as `make recount` "
                       "does) would take the counters' half",
    "DynamoDB storage + PITR": "every case, timeline and counter kept the configured years with point-in-time "
                               "recovery on every table: shorter retention, or the Standard-IA table class for the "
                               "write-once timeline",
    "S3 photos": "every photo kept the configured years (Glacier Instant Retrieval after 30 days, so a photo opens "
                 "at once): Deep Archive for closed cases' photos (hours to open) or fewer years",
    "API Gateway (REST)": "a REST API (HTTP APIs cost less but have no per-route throttles, WAF or Gateway "
                          "Responses, which the edge uses)",
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=30000)
    args = parser.parse_args()
    from bench.cost import fixed
    from bench.cost.world import World     # the app's modules, imported once its environment is set
    from bench.cost.year import Year
    from chalicelib import resources
    from chalicelib.county_config import load
    from support.deployed import template_path
    config = load("demo")
    years = config.spec.deployment.case_retention_years
    photo = sample_photo()
    validate, photo_ms = measured_validation(photo)
    world = World()
    year = Year(config, world, validate, photo, args.cases)
    started = time.perf_counter()
    year.run()
    elapsed = time.perf_counter() - started
    units = world.bill.units
    per10k = 10000 / args.cases

    functions = lambda_bill(world, photo_ms, resources.LAMBDA_MEMORY_MB)
    invocations = sum(n for n, _, _ in functions.values())
    gb_seconds = sum(g for _, _, g in functions.values())
    cold_init_ms = float(os.environ.get("COLD_INIT_MS", "600"))
    gb_seconds += invocations * prices.COLD_START_SHARE * cold_init_ms / 1000 * resources.LAMBDA_MEMORY_MB / 1024
    lifetimes = ttl_lifetimes()
    kept = ttl_months = index_gb = 0.0
    for (table, *_), (size, images) in world.dynamo.stored.items():
        item_gb = (size + sum(image[1] for image in images.values())) / 1e9
        index_gb += sum(image[1] for image in images.values()) / 1e9
        if table in lifetimes:
            ttl_months += item_gb * lifetimes[table] / 30.4
        else:
            kept += item_gb
    log_gb = (invocations * (prices.LOG_BYTES["lambda_platform"] + prices.LOG_BYTES["app_line"])
              + year.api_requests * prices.LOG_BYTES["access_log"]) / 1e9
    usage = Usage(args.cases, year.api_requests, invocations, gb_seconds, units, kept, ttl_months,
                  units[("s3", "stored_bytes")] / 1e9, int(units[("s3", "stored_objects")]), log_gb)

    print(f"synthetic prefecture-year: {args.cases:,} cases, {year.api_requests:,} API requests, "
          f"{invocations:,} Lambda invocations (simulated in {elapsed:.0f} s); cases kept {years} years "
          f"(deployment.case_retention_years)\n")
    tables = [prices.US_EAST_1, prices.CN_NORTHWEST_1]
    lines = {t.region: variable_lines(usage, t, years) for t in tables}
    print(f"{'variable cost per 10,000 cases':<64}" + "".join(f"{t.currency + ' (' + t.region + ')':>22}" for t in tables))
    for name in lines[tables[0].region]:
        print(f"{name:<64}" + "".join(f"{fixed.money(t, _scaled(lines[t.region][name], per10k), 3):>22}" for t in tables))
    totals = {}
    for t in tables:
        known = [v for v in lines[t.region].values() if v is not None]
        totals[t.region] = (sum(known) * per10k, len(lines[t.region]) - len(known))
    print(f"{'variable total':<64}" + "".join(
        f"{fixed.money(t, totals[t.region][0], 3) + ('+' + str(totals[t.region][1]) + ' nf' if totals[t.region][1] else ''):>22}"
        for t in tables))
    sms = units[("sns", "sms")]
    sms_price = prices.US_EAST_1['sms_per_message']
    print(f"{'SMS (apart): ' + format(int(sms), ',') + f' messages at an assumed ${sms_price}':<64}"
          f"{fixed.money(prices.US_EAST_1, sms * sms_price * per10k, 3):>22}"
          f"{'not offered':>22}")
    print("  (nf: lines whose price was not found in that region's table; their cost is not in the total)")
    one_year = variable_lines(usage, prices.US_EAST_1, 1)
    storage = [name for name in one_year if "kept" in name]
    more = {name.split(",")[0]: (lines[prices.US_EAST_1.region][name.replace("kept 1 years", f"kept {years} years")]
                                 - one_year[name]) / max(1, years - 1) * per10k for name in storage}
    print(f"  each further year a case is kept adds {sum(more.values()):.3f} per 10,000 cases (" +
          ", ".join(f"{k} {v:.3f}" for k, v in more.items()) + ")")

    fixed_monthly = {}
    for county, t in (("demo", prices.US_EAST_1), ("yuli", prices.CN_NORTHWEST_1)):
        deployment = load(county).spec.deployment
        template = json.loads(template_path(county).read_text())
        fixed_monthly[t.region] = fixed.report(f"{county} ({deployment.region})", template, t,
                                               years_kept=deployment.case_retention_years)
    us = prices.US_EAST_1
    variable_usd = totals[us.region][0]
    fixed_usd = fixed_monthly[us.region][0]
    print(f"\nall-in per 10,000 cases ({us.currency}, demo, priced at us-east-1's list prices as a stand-in for its "
          f"region; the fixed part spread over a year's cases):")
    for per_year in (30000, 100000):
        print(f"  at {per_year:>7,} cases a year: {variable_usd + fixed_usd * 12 * 10000 / per_year:7.2f} "
              f"(variable {variable_usd:.2f} + fixed {fixed_usd * 12 * 10000 / per_year:.2f})")
    cn = prices.CN_NORTHWEST_1
    variable_cny, fixed_cny = totals[cn.region][0], fixed_monthly[cn.region][0]
    print(f"all-in per 10,000 cases ({cn.currency}, yuli), INCOMPLETE: only the lines with a price found; "
          f"{totals[cn.region][1]} variable and {fixed_monthly[cn.region][1]} fixed line(s) have none and are left out:")
    for per_year in (30000, 100000):
        print(f"  at {per_year:>7,} cases a year: at least {variable_cny + fixed_cny * 12 * 10000 / per_year:7.2f} "
              f"(variable {variable_cny:.2f} + fixed {fixed_cny * 12 * 10000 / per_year:.2f})")
    print(f"\ntargets: variable <= {TARGET_VARIABLE:.2f} per 10,000 cases: {variable_usd:.2f} "
          f"{'met' if variable_usd <= TARGET_VARIABLE else 'MISSED'}; fixed <= {TARGET_FIXED:.2f} a month: "
          f"{fixed_usd:.2f} {'met' if fixed_usd <= TARGET_FIXED else 'MISSED'}")
    if variable_usd > TARGET_VARIABLE:
        print(f"the gap, {variable_usd - TARGET_VARIABLE:.2f}, line by line (largest first) and the fixed choice behind it:")
        for name, cost in sorted(lines[us.region].items(), key=lambda kv: -(kv[1] or 0)):
            choice = next((text for start, text in FIXED_CHOICES.items() if name.startswith(start)), None)
            if choice:
                print(f"  {name:<28} {cost * per10k:6.3f}  {choice}")

    print("\nunits per year: " + ", ".join(f"{s} {u} {v:,.0f}" for (s, u), v in sorted(units.items())))
    print(f"DynamoDB kept by a year of cases: {kept * 1000:.0f} MB (of which indexes {index_gb * 1000:.0f} MB); "
          f"TTL'd items {ttl_months * 1000:.1f} MB-months (" + ", ".join(
              f"{t.removeprefix(_prefix())} {d:.0f} days" for t, d in lifetimes.items()) + ")")
    print(f"log lines a year: {log_gb:.2f} GB (per invocation {prices.LOG_BYTES['lambda_platform']} + "
          f"{prices.LOG_BYTES['app_line']} bytes, per API request {prices.LOG_BYTES['access_log']} more)")
    print("\nDynamoDB write units by table (per case):")
    for table, wru in world.dynamo.wru_by_table.most_common():
        print(f"  {table:<40} {wru / args.cases:8.1f}")
    print("\nLambda: invocations, median billed ms (own time measured + AWS waits modelled), per function and "
          "kind of work")
    for (function, kind), (n, median, gbs) in sorted(functions.items()):
        print(f"  {function + (' ' + kind if kind else ''):<26} {n:>9,} {median:>8.0f} ms  {gbs:>10,.0f} GB-s")
    print(f"  photo decode (Pillow, measured): {photo_ms:.0f} ms for {len(photo) / 1e6:.2f} MB")

    on_time = [n for case_id, n in world.transitions_by_case.items()
               if case_id not in world.noticed_cases and case_id not in year.reopened]
    print(f"\nstate transitions per case handled on time (no notice sent, not reopened): max {max(on_time)}, "
          f"median {statistics.median(on_time):.0f} over {len(on_time):,} cases (target <= {TARGET_TRANSITIONS})")
    print("outcomes: " + ", ".join(f"{k} {v:,}" for k, v in sorted(year.outcomes.items())))
    return 0 if variable_usd <= TARGET_VARIABLE and fixed_usd <= TARGET_FIXED and max(on_time) <= TARGET_TRANSITIONS \
        else 1


def _scaled(amount, factor):
    return None if amount is None else amount * factor


def _prefix() -> str:
    from chalicelib import settings
    return settings.TABLE_PREFIX


if __name__ == "__main__":
    for name, value in {**app_environment(prefix="gridloop-"), "POWERTOOLS_METRICS_DISABLED": "true"}.items():
        os.environ.setdefault(name, value)
    sys.exit(main())
