#!/usr/bin/env python3
"""Converts a training run's metrics.csv and eval.csv into TensorBoard event
files in RUN_DIR/tensorboard (one scalar series per column, stepped by frames).

    python tools/metrics_to_tensorboard.py RUN_DIR

Needs the project's Python environment (tools/setup.sh): pandas and tensorboard.
"""
import argparse
import math
import pathlib
import sys

import pandas as pd
from tensorboard.summary.writer.event_file_writer import EventFileWriter
from tensorboard.compat.proto.event_pb2 import Event
from tensorboard.compat.proto.summary_pb2 import Summary


def scalar_event(tag, value, step):
    return Event(step=int(step), summary=Summary(value=[Summary.Value(tag=tag, simple_value=float(value))]))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir", type=pathlib.Path)
    args = parser.parse_args()
    metrics_file = args.run_dir / "metrics.csv"
    if not metrics_file.exists():
        sys.exit(f"{metrics_file}: no such file (is {args.run_dir} a training run?)")
    out_dir = args.run_dir / "tensorboard"
    out_dir.mkdir(exist_ok=True)
    for old in out_dir.glob("events.out.tfevents.*"):
        old.unlink()
    writer = EventFileWriter(str(out_dir))
    written = 0
    metrics = pd.read_csv(metrics_file, na_values=["-"])
    for _, row in metrics.iterrows():
        for column in metrics.columns:
            if column in ("update", "frames"):
                continue
            value = row[column]
            if not (isinstance(value, float) and math.isnan(value)):
                writer.add_event(scalar_event(f"train/{column}", value, row["frames"]))
                written += 1
    eval_file = args.run_dir / "eval.csv"
    if eval_file.exists():
        evaluations = pd.read_csv(eval_file)
        for _, row in evaluations.iterrows():
            for column in ("mean_pnl", "std_pnl"):
                writer.add_event(scalar_event(f"validation/{row['policy']}_{column}", row[column], row["frames"]))
                written += 1
    writer.close()
    print(f"{written} scalars -> {out_dir} (tensorboard --logdir {out_dir})")


if __name__ == "__main__":
    main()
