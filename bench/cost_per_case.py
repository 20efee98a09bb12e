"""Cost per 10,000 cases: a synthetic prefecture-year through the services over counting adapters.

Usage: python bench/cost_per_case.py [--cases 30000]
Prints the billed units per service, the cost per 10,000 cases against the target (<= $2.50), SMS apart,
what a case handled on time costs in state transitions (target <= 5), and where the write units go.
"""
from __future__ import annotations

import argparse
import io
import math
import os
import statistics
import sys
import time
from pathlib import Path

if __name__ == "__main__":   # `python bench/cost_per_case.py`: the repository's packages on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cost import prices
from support.local_aws import app_environment

TARGET_PER_10K = 2.50
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


def lambda_bill(world, photo_ms: float):
    """GB-seconds per function and kind of work (the work queue's worker serves three): own time (measured) +
    waits on AWS (modelled), each invocation rounded up to 1 ms."""
    from chalicelib import resources
    gb = resources.LAMBDA_MEMORY_MB / 1024
    rows = {}
    for (function, kind), runs in world.durations.items():
        billed = []
        for own_ms, rounds in runs:
            extra = photo_ms if kind == "photo" else 0
            billed.append(math.ceil(own_ms + extra + sum(prices.LATENCY_MS[k] for k in rounds)))
        rows[(function, kind)] = (len(runs), statistics.median(billed), sum(billed) / 1000 * gb)
    return rows


def _sources(queues) -> str:
    """The queues a Lambda event source long-polls, idle or not (resources.QUEUES): one, the work queue."""
    return f"{len(queues)} idle event source{'s' if len(queues) != 1 else ''} ({', '.join(q.key for q in queues)})"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=30000)
    args = parser.parse_args()
    from bench.cost.world import World     # the app's modules, imported once its environment is set
    from bench.cost.year import Year
    from chalicelib import resources
    from chalicelib.county_config import load
    config = load("demo")
    photo = sample_photo()
    validate, photo_ms = measured_validation(photo)
    world = World()
    year = Year(config, world, validate, photo, args.cases)
    started = time.perf_counter()
    year.run()
    elapsed = time.perf_counter() - started
    units = world.bill.units
    per10k = 10000 / args.cases

    functions = lambda_bill(world, photo_ms)
    invocations = sum(n for n, _, _ in functions.values())
    gb_seconds = sum(g for _, _, g in functions.values())
    cold_init_ms = float(os.environ.get("COLD_INIT_MS", "600"))
    gb_seconds += invocations * prices.COLD_START_SHARE * cold_init_ms / 1000 * resources.LAMBDA_MEMORY_MB / 1024
    stored_gb = sum(size for size, _ in world.dynamo.stored.values()) / 1e9
    index_gb = sum(image[1] for _, images in world.dynamo.stored.values() for image in images.values()) / 1e9

    variable = {
        "API Gateway (REST)": units[("apigateway", "requests")] / 1e6 * prices.API_GATEWAY_REST_PER_MILLION,
        "Lambda": invocations / 1e6 * prices.LAMBDA_PER_MILLION_REQUESTS + gb_seconds * prices.LAMBDA_PER_GB_SECOND,
        "DynamoDB requests": units[("dynamodb", "WRU")] / 1e6 * prices.DYNAMODB_PER_MILLION_WRU
        + units[("dynamodb", "RRU")] / 1e6 * prices.DYNAMODB_PER_MILLION_RRU,
        "DynamoDB storage (half the year-end size, 12 months)": (stored_gb + index_gb) / 2 * 12
        * prices.DYNAMODB_PER_GB_MONTH,
        "Step Functions (Standard)": units[("stepfunctions", "transitions")] / 1000
        * prices.STEP_FUNCTIONS_PER_THOUSAND_TRANSITIONS,
        "SQS": units[("sqs", "requests")] / 1e6 * prices.SQS_PER_MILLION_REQUESTS,
        "S3 (photos a year: 1 month Standard, 11 Glacier IR)": units[("s3", "put_requests")] / 1000
        * prices.S3_PER_THOUSAND_PUT + units[("s3", "get_requests")] / 1000 * prices.S3_PER_THOUSAND_GET
        + units[("s3", "stored_objects")] / 1000 * prices.S3_GLACIER_IR_PER_THOUSAND_TRANSITIONS
        + units[("s3", "stored_bytes")] / 1e9 * (prices.S3_PER_GB_MONTH + 11 * prices.S3_GLACIER_IR_PER_GB_MONTH),
        "SNS topics": units[("sns", "publishes")] / 1e6 * prices.SNS_PER_MILLION_PUBLISHES,
    }
    relay_ms = math.ceil(1 + prices.LATENCY_MS["dynamodb_read"])
    fixed = {
        "outbox relay, every minute (Lambda + one Query)": prices.RELAY_RUNS_PER_YEAR * (
            prices.LAMBDA_PER_MILLION_REQUESTS / 1e6 + relay_ms / 1000 * resources.LAMBDA_MEMORY_MB / 1024
            * prices.LAMBDA_PER_GB_SECOND + 0.5 * prices.DYNAMODB_PER_MILLION_RRU / 1e6),
        f"SQS long polling of {_sources(resources.QUEUES)}": len(resources.QUEUES)
        * prices.IDLE_RECEIVES_PER_MINUTE_PER_QUEUE * prices.RELAY_RUNS_PER_YEAR / 1e6
        * prices.SQS_PER_MILLION_REQUESTS,
    }
    sms = units[("sns", "sms")] * prices.SMS_PER_MESSAGE

    print(f"synthetic prefecture-year: {args.cases:,} cases, {year.api_requests:,} API requests, "
          f"{invocations:,} Lambda invocations (simulated in {elapsed:.0f} s)\n")
    print(f"{'service':<55} {'per year':>10} {'per 10,000 cases':>17}")
    for name, cost in variable.items():
        print(f"{name:<55} {cost:>10.2f} {cost * per10k:>17.3f}")
    var_total = sum(variable.values())
    print(f"{'variable cost':<55} {var_total:>10.2f} {var_total * per10k:>17.3f}")
    for name, cost in fixed.items():
        print(f"{name:<55} {cost:>10.2f} {cost * per10k:>17.3f}")
    total = var_total + sum(fixed.values())
    print(f"{'AWS total':<55} {total:>10.2f} {total * per10k:>17.3f}   target <= {TARGET_PER_10K:.2f}")
    print(f"{'SMS (apart): ' + format(int(units[('sns', 'sms')]), ',') + ' messages at $' + str(prices.SMS_PER_MESSAGE):<55} "
          f"{sms:>10.2f} {sms * per10k:>17.3f}")

    print("\nunits per year: " + ", ".join(f"{s} {u} {v:,.0f}" for (s, u), v in sorted(units.items())))
    print(f"DynamoDB stored at year end: {stored_gb * 1000:.0f} MB in tables, {index_gb * 1000:.0f} MB in indexes")
    print("\nDynamoDB write units by table (per case):")
    for table, wru in world.dynamo.wru_by_table.most_common():
        print(f"  {table:<40} {wru / args.cases:8.1f}")
    print("\nLambda: invocations, median billed ms (own time measured + AWS waits modelled), per function and "
          "kind of work")
    for (function, kind), (n, median, gbs) in sorted(functions.items()):
        print(f"  {function + (' ' + kind if kind else ''):<26} {n:>9,} {median:>8.0f} ms  {gbs:>10,.0f} GB-s")
    for function in sorted({f for f, kind in functions if kind}):
        rows = [v for (f, kind), v in functions.items() if f == function]
        print(f"  {function + ' (all kinds)':<26} {sum(n for n, _, _ in rows):>9,} {'':>11}  "
              f"{sum(g for _, _, g in rows):>10,.0f} GB-s")
    print(f"  photo decode (Pillow, measured): {photo_ms:.0f} ms for {len(photo) / 1e6:.2f} MB")

    on_time = [n for case_id, n in world.transitions_by_case.items()
               if case_id not in world.noticed_cases and case_id not in year.reopened]
    print(f"\nstate transitions per case handled on time (no notice sent, not reopened): max {max(on_time)}, "
          f"median {statistics.median(on_time):.0f} over {len(on_time):,} cases (target <= {TARGET_TRANSITIONS})")
    print("outcomes: " + ", ".join(f"{k} {v:,}" for k, v in sorted(year.outcomes.items())))
    return 0 if total * per10k <= TARGET_PER_10K and max(on_time) <= TARGET_TRANSITIONS else 1


if __name__ == "__main__":
    for name, value in {**app_environment(prefix="gridloop-"), "POWERTOOLS_METRICS_DISABLED": "true"}.items():
        os.environ.setdefault(name, value)
    sys.exit(main())
