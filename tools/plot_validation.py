#!/usr/bin/env python3
"""Plots the validation curves of groups of training runs on one figure:

    python tools/plot_validation.py OUT.png LABEL=RUN_DIR[,RUN_DIR...] [LABEL=...]

reads each RUN_DIR/eval.csv (the greedy validations `mmsim train` logs, one
row per evaluation: update, frames, policy, mean_pnl, std_pnl) and draws, per
LABEL, the mean over its runs of the greedy validation mean PnL against
training frames, with a band from the lowest to the highest run. A dashed
line marks the random policy's mean over the runs (each run draws its own
windows). Runs of one label must log their validations at the same frames.

Missing or malformed input: one line on stderr naming the file (and column),
exit status 2. Needs the project's Python environment (tools/setup.sh):
pandas and matplotlib.
"""
import argparse
import pathlib
import sys


def fail(message):
    print(f"plot_validation.py: {message}", file=sys.stderr)
    sys.exit(2)


def read_run(run_dir, pandas):
    path = pathlib.Path(run_dir) / "eval.csv"
    if not path.is_file():
        fail(f"{path}: not found (a run directory of mmsim train with validation on)")
    try:
        table = pandas.read_csv(path)
    except Exception as error:  # pandas raises several types for a malformed file
        fail(f"{path}: {error}")
    for column in ("frames", "policy", "mean_pnl"):
        if column not in table.columns:
            fail(f"{path}: no column '{column}'")
    greedy = table[table["policy"] == "greedy"].set_index("frames")["mean_pnl"]
    random = table[table["policy"] == "random"]["mean_pnl"]
    if greedy.empty or random.empty:
        fail(f"{path}: needs the random policy's row and at least one greedy validation")
    return greedy, float(random.iloc[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("groups", nargs="+", help="LABEL=RUN_DIR[,RUN_DIR...]")
    args = parser.parse_args()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas

    figure, axes = plt.subplots(figsize=(8, 4.5))
    randoms = []
    for group in args.groups:
        label, _, dirs = group.partition("=")
        if not label or not dirs:
            fail(f"'{group}': expected LABEL=RUN_DIR[,RUN_DIR...]")
        runs = [read_run(d, pandas) for d in dirs.split(",")]
        curves = pandas.concat([greedy for greedy, _ in runs], axis=1)
        if curves.isna().any().any():
            fail(f"{label}: its runs validated at different frames")
        randoms += [random for _, random in runs]
        frames = curves.index.to_numpy() / 1e6
        line = axes.plot(frames, curves.mean(axis=1), marker="o", markersize=3, label=f"{label} ({len(runs)} runs)")
        axes.fill_between(frames, curves.min(axis=1), curves.max(axis=1), alpha=0.2, color=line[0].get_color())
    axes.axhline(sum(randoms) / len(randoms), linestyle="--", color="grey", label="random policy (mean)")
    axes.axhline(0, color="black", linewidth=0.5)
    axes.set_xlabel("training frames (millions)")
    axes.set_ylabel("greedy validation mean PnL per window")
    axes.set_title("Validation during training: mean over runs, band from lowest to highest")
    axes.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(args.out, dpi=110)
    print(args.out)


if __name__ == "__main__":
    main()
