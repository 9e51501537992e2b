"""Classifier throughput, model load time and peak memory.

Builds N notifications (default 50,000) by recombining the bundled sample's
titles, products and descriptions, and classifies them in batches on one core. Rates are given per CPU-second
(the process's own time, steady on a shared machine) and per wall second.
The baseline (plain TF-IDF) is timed on a slice in the same run.

    .venv/bin/python bench/classify.py [--n 50000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import time
from dataclasses import replace
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=256)
    args = parser.parse_args()

    started, started_cpu = time.perf_counter(), time.process_time()
    from classifiers.ensemble import Ensemble
    from classifiers.nomenclature import load_nomenclature

    ensemble = Ensemble(load_nomenclature())
    ensemble.classify(ensemble_probe())  # jieba and the dictionaries load lazily
    load_s, load_cpu = time.perf_counter() - started, time.process_time() - started_cpu

    from classifiers.baseline import Baseline
    from feeds.sample_record import notification_from_sample

    sample = [
        notification_from_sample(json.loads(line), "bench")
        for line in (ROOT / "feeds/data/wto_sample.jsonl").read_text("utf-8").splitlines()
        if line.strip()
    ]
    rng = random.Random(4)
    batch = [
        replace(
            rng.choice(sample),
            title=rng.choice(sample).title,
            products=rng.choice(sample).products,
            description=rng.choice(sample).description,
            key=f"bench:{i}",
        )
        for i in range(args.n)
    ]
    timings = []
    t0, c0 = time.perf_counter(), time.process_time()
    for start in range(0, len(batch), args.batch):
        t = time.perf_counter()
        ensemble.classify_many(batch[start : start + args.batch])
        timings.append(args.batch / (time.perf_counter() - t))
    total, total_cpu = time.perf_counter() - t0, time.process_time() - c0
    baseline = Baseline(load_nomenclature())
    slice_ = batch[:2000]
    t, c = time.perf_counter(), time.process_time()
    baseline.classify_many(slice_)
    baseline_rate = len(slice_) / (time.perf_counter() - t)
    baseline_cpu_rate = len(slice_) / (time.process_time() - c)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"notifications: {args.n} (recombined from {len(sample)} real ones), batches of {args.batch}")
    # CPU seconds are what one core gives; wall seconds also count the other jobs on a shared machine.
    print(f"model load: {load_s:.2f} s wall, {load_cpu:.2f} s CPU (target < 2 s)")
    print(
        f"tbtwarn ensemble: {args.n / total_cpu:,.0f} notifications per CPU-second "
        f"({args.n / total:,.0f}/s wall, median batch {statistics.median(timings):,.0f}/s wall)"
        " (target >= 2,000/s)"
    )
    print(
        f"baseline TF-IDF (2,000 of them): {baseline_cpu_rate:,.0f} notifications per CPU-second "
        f"({baseline_rate:,.0f}/s wall)"
    )
    print(f"peak memory: {peak_mb:.0f} MB (target < 500 MB)")


def ensemble_probe():  # type: ignore[no-untyped-def]
    from warning.types import Notification

    return Notification(
        key="probe",
        symbols=(),
        area="TBT",
        member_codes=(),
        member_name="",
        notification_type="",
        title="玩具",
        products="toys",
    )


if __name__ == "__main__":
    main()
