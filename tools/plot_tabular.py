#!/usr/bin/env python3
"""Plots a run of `mmsim tabular` (batches of Q-learning, SARSA and Expected
SARSA learners on the fill-probability env) as up to four PNGs:

    python tools/plot_tabular.py RUN_DIR

reads RUN_DIR/curves.csv, RUN_DIR/q_values.csv and, when it is there,
RUN_DIR/pnl_path.csv, and writes

  RUN_DIR/curves.png    the sum of rewards per episode against the episode, per
                        point (algorithm, step size, epsilon, epsilon decay):
                        the mean over its seeds with a band of the 95%
                        t-interval of that mean; with more than 9 points, one
                        panel per step size and epsilon;
  RUN_DIR/policy.png    per algorithm (its first point), the greedy action
                        (argmax Q) in each state (position x queue-imbalance
                        bucket) chosen by most seeds, with the share of seeds
                        that agree; a seed whose maximum is tied counts as a tie;
  RUN_DIR/q_values.png  per algorithm (its first point), the mean Q value over
                        seeds of each action in each state;
  RUN_DIR/pnl_path.png  the cumulative PnL of each policy over the held-out
                        split, with the position of the first learned policy.

An algorithm's first point is the first of its points in q_values.csv.
Without pnl_path.csv its plot is skipped with a note.

Missing or malformed input: one line on stderr naming the file (and column),
exit status 2. Needs the project's Python environment (tools/setup.sh): numpy,
pandas and matplotlib; scipy, where installed, gives the t quantiles.
"""
import argparse
import math
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from csv_input import InputError, read_csv_columns  # noqa: E402
from matplotlib.colors import ListedColormap, to_rgb  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

try:
    from scipy.stats import t as student_t
except ImportError:
    student_t = None

# The env's numbering (include/mmsim/env/fill_prob_env.hpp).
POSITIONS = ("flat", "short", "long")
POSITION_SIGN = {"flat": 0, "short": -1, "long": 1}
ACTIONS = ("sell", "hold", "buy")
BUCKETS = 10
BUCKET_LABEL = "queue-imbalance bucket k = \u230a10 \u00b7 bid depth / (bid + ask depth)\u230b"

PARAMS = ("step_size", "epsilon", "epsilon_decay")
POINT = ("algorithm",) + PARAMS
PARAM_SYMBOL = {"step_size": "\u03b1", "epsilon": "\u03b5", "epsilon_decay": "decay"}
POINT_TYPES = {"learner": "text", "algorithm": "text", "step_size": "number", "epsilon": "number",
               "epsilon_decay": "number", "seed": "text"}
CURVES_COLUMNS = {**POINT_TYPES, "episode": "integer", "reward_sum": "number"}
Q_VALUES_COLUMNS = {**POINT_TYPES, "position": POSITIONS, "bucket": "integer", "action": ACTIONS,
                    "value": "number"}
PNL_PATH_COLUMNS = {"policy": "text", "step": "integer", "pnl": "number", "position": POSITIONS}

ALGORITHM_COLORS = {"q_learning": "#1f5fbf", "sarsa": "#e07b00", "expected_sarsa": "#2a9d3a"}
OTHER_COLORS = ["#b03fa6", "#c0392b", "#8c6d31", "#17becf"]
BASELINE_COLORS = ["#555555", "#999999", "#8c6d31", "#b03fa6"]
# Greedy-action cells: sell, hold, buy, then a tie between actions.
CHOICES = ACTIONS + ("tie",)
CHOICE_LETTERS = ("s", "h", "b", "=")
CHOICE_COLORS = ("#e8836f", "#cfcfcf", "#7cc47f", "#f3e6a8")
# More points than this on one axes would not be told apart: one panel per step size and epsilon.
MAX_POINTS_ON_ONE_AXES = 9
# Student's t 0.975 quantiles for df 1..30, for when scipy is missing; 1.96 above.
T_975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
         2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
         2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)
DPI = 150


def read_table(path, columns):
    """Reads a CSV of the C++ side. `columns` maps each required column to
    "text" (non-empty), "number" (finite), "integer", or a tuple of the
    words it may hold."""
    raw = read_csv_columns(path, columns, "a run directory of mmsim tabular")
    table = pd.DataFrame(index=raw.index)
    for column, kind in columns.items():
        text = raw[column].str.strip()
        if kind == "text":
            bad, values, what = text == "", text, "empty"
        elif isinstance(kind, tuple):
            bad, values, what = ~text.isin(kind), text, f"not one of {'/'.join(kind)}"
        else:
            values = pd.to_numeric(text, errors="coerce").astype(float)
            bad = ~np.isfinite(values)
            if kind == "integer":
                bad |= values != values.round()
            what = f"not {'an integer' if kind == 'integer' else 'a finite number'}"
        if bad.any():
            row = int(np.argmax(bad.to_numpy()))
            raise InputError(f"{path}: column '{column}' is {what} on line {row + 2} ({text.iloc[row]!r})")
        table[column] = values.astype(int) if kind == "integer" else values
    return table


def check_one_point_per_learner(path, table):
    varying = table.groupby("learner")[list(POINT)].nunique()
    for column in POINT:
        if (varying[column] > 1).any():
            learner = varying.index[np.argmax((varying[column] > 1).to_numpy())]
            raise InputError(f"{path}: column '{column}' changes within the rows of learner '{learner}'")


def first_duplicate(path, table, keys):
    duplicated = table.duplicated(list(keys))
    if duplicated.any():
        row = int(np.argmax(duplicated.to_numpy()))
        shown = ", ".join(f"{k} {table[k].iloc[row]}" for k in keys)
        raise InputError(f"{path}: line {row + 2} repeats {shown}")


def read_curves(path):
    curves = read_table(path, CURVES_COLUMNS)
    check_one_point_per_learner(path, curves)
    first_duplicate(path, curves, ("learner", "episode"))
    return curves


def read_q_values(path):
    """The Q table of every learner as {point: array [seeds, position, bucket, action]}."""
    q_values = read_table(path, Q_VALUES_COLUMNS)
    outside = (q_values["bucket"] < 0) | (q_values["bucket"] >= BUCKETS)
    if outside.any():
        row = int(np.argmax(outside.to_numpy()))
        raise InputError(f"{path}: column 'bucket' is outside 0..{BUCKETS - 1} on line {row + 2}")
    check_one_point_per_learner(path, q_values)
    first_duplicate(path, q_values, ("learner", "position", "bucket", "action"))
    learners = list(dict.fromkeys(q_values["learner"]))
    tables = np.full((len(learners), len(POSITIONS), BUCKETS, len(ACTIONS)), np.nan)
    tables[q_values["learner"].map({name: i for i, name in enumerate(learners)}),
           q_values["position"].map(POSITIONS.index), q_values["bucket"],
           q_values["action"].map(ACTIONS.index)] = q_values["value"]
    for i, learner in enumerate(learners):
        if np.isnan(tables[i]).any():
            p, b, a = np.argwhere(np.isnan(tables[i]))[0]
            raise InputError(f"{path}: learner '{learner}' has no value for position {POSITIONS[p]}, "
                             f"bucket {b}, action {ACTIONS[a]}")
    point_of = q_values.drop_duplicates("learner").set_index("learner")[list(POINT)]
    points = list(dict.fromkeys(point_of.loc[learners].itertuples(index=False, name=None)))
    return {point: tables[[tuple(point_of.loc[name]) == point for name in learners]] for point in points}


def algorithm_order(algorithm):
    known = list(ALGORITHM_COLORS)
    return (known.index(algorithm) if algorithm in known else len(known), algorithm)


def algorithm_colors(algorithms):
    others = iter(OTHER_COLORS * len(algorithms))
    return {name: ALGORITHM_COLORS.get(name) or next(others) for name in sorted(algorithms, key=algorithm_order)}


def shades(color, count):
    """`count` shades of `color` from darker to lighter, to tell apart the
    points of one algorithm while keeping its hue."""
    if count == 1:
        return [color]
    rgb = np.array(to_rgb(color))
    shaded = []
    for mix in np.linspace(-0.35, 0.35, count):
        target = np.zeros(3) if mix < 0 else np.ones(3)
        shaded.append(tuple(rgb + abs(mix) * (target - rgb)))
    return shaded


def describe(point, params):
    return ", ".join(f"{PARAM_SYMBOL[p]} {point[POINT.index(p)]:g}" for p in params)


def plural(count, noun):
    return f"{count} {noun}" + ("" if count == 1 else "s")


def t_975(df):
    if df < 1:
        return math.nan
    if student_t is not None:
        return float(student_t.ppf(0.975, df))
    return T_975[df - 1] if df <= len(T_975) else 1.96


def seeds_note(counts):
    low, high = min(counts), max(counts)
    seeds = plural(high, "seed") if low == high else f"{low} to {high} seeds"
    band = "no interval with one seed" if high == 1 else "band: 95% t-interval of the mean over seeds"
    return f"{seeds} per point; line: mean over seeds,\n{band}"


def plot_curves(path, curves):
    by_episode = curves.groupby(list(POINT) + ["episode"])["reward_sum"].agg(["mean", "std", "count"])
    seeds = curves.groupby(list(POINT))["learner"].nunique()
    points = sorted(seeds.index, key=lambda p: (algorithm_order(p[0]), p[1:]))
    varying = [p for p in PARAMS if len({point[POINT.index(p)] for point in points}) > 1]
    paneled = len(points) > MAX_POINTS_ON_ONE_AXES
    # Panels hold one step size and epsilon each; the legend names what else varies.
    in_legend = [p for p in varying if not (paneled and p in ("step_size", "epsilon"))]
    step_sizes = sorted({p[1] for p in points}) if paneled else [None]
    epsilons = sorted({p[2] for p in points}) if paneled else [None]

    colors = algorithm_colors({p[0] for p in points})
    line_color = {}
    for algorithm, base in colors.items():
        variants = sorted({tuple(p[POINT.index(q)] for q in in_legend) for p in points if p[0] == algorithm})
        for point in points:
            if point[0] == algorithm:
                key = tuple(point[POINT.index(q)] for q in in_legend)
                line_color[point] = shades(base, len(variants))[variants.index(key)]

    rows, cols = len(step_sizes), len(epsilons)
    fig, axes = plt.subplots(rows, cols, squeeze=False, sharex=True, sharey=True, layout="constrained",
                             figsize=(12, 6) if not paneled else (max(4.2 * cols + 2.5, 9.5), 3.2 * rows + 1))
    legend = {}
    for r, step_size in enumerate(step_sizes):
        for c, epsilon in enumerate(epsilons):
            ax = axes[r][c]
            panel = [p for p in points if not paneled or (p[1] == step_size and p[2] == epsilon)]
            if not panel:
                ax.set_title(f"{describe((None, step_size, epsilon, None), ('step_size', 'epsilon'))}: no runs",
                             fontsize=10)
                ax.axis("off")
                continue
            for point in panel:
                stats = by_episode.loc[point]
                half_width = stats["std"] / np.sqrt(stats["count"]) * stats["count"].sub(1).map(t_975)
                episodes = stats.index.to_numpy()
                label = point[0] + (f" ({describe(point, in_legend)})" if in_legend else "")
                legend[label] = ax.plot(episodes, stats["mean"], color=line_color[point], linewidth=1.3)[0]
                ax.fill_between(episodes, stats["mean"] - half_width, stats["mean"] + half_width,
                                color=line_color[point], alpha=0.2, linewidth=0)
            ax.axhline(0, color="black", linewidth=0.6)
            ax.grid(alpha=0.3)
            if paneled:
                ax.set_title(describe(panel[0], ("step_size", "epsilon")), fontsize=10)
            if r == rows - 1:
                ax.set_xlabel("episode")
            if c == 0:
                ax.set_ylabel("sum of rewards per episode")
    fig.legend(legend.values(), legend.keys(), loc="outside right center", fontsize=9, title="point",
               title_fontsize=9)
    fig.suptitle(f"Learning curves of {plural(len(points), 'point')}\n{seeds_note(seeds.tolist())}", fontsize=12)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def first_point_per_algorithm(tables):
    firsts = {}
    for point in tables:
        firsts.setdefault(point[0], point)
    return [firsts[name] for name in sorted(firsts, key=algorithm_order)]


def point_title(point, seeds):
    return f"{point[0]} ({describe(point, PARAMS)}; {plural(seeds, 'seed')})"


def state_grid(ax):
    ax.set_yticks(range(len(POSITIONS)), POSITIONS)
    ax.set_xticks(range(BUCKETS))
    ax.set_ylabel("position")


def greedy_choices(tables):
    """The index into CHOICES of every seed's greedy action per state: the
    argmax of Q, or "tie" where several actions share the maximum."""
    best = tables.max(axis=-1, keepdims=True)
    tied = (tables == best).sum(axis=-1) > 1
    return np.where(tied, CHOICES.index("tie"), tables.argmax(axis=-1))


def plot_policy(path, tables):
    points = first_point_per_algorithm(tables)
    fig, axes = plt.subplots(len(points), 1, squeeze=False, layout="constrained",
                             figsize=(12, 2.1 * len(points) + 1.2))
    for ax, point in zip(axes[:, 0], points):
        choices = greedy_choices(tables[point])
        counts = np.stack([(choices == i).sum(axis=0) for i in range(len(CHOICES))], axis=-1)
        majority = counts.argmax(axis=-1)  # equal counts: the first of sell, hold, buy, tie
        share = counts.max(axis=-1) / len(choices)
        ax.imshow(majority, cmap=ListedColormap(CHOICE_COLORS), vmin=-0.5, vmax=len(CHOICES) - 0.5,
                  aspect="auto")
        for p in range(len(POSITIONS)):
            for b in range(BUCKETS):
                ax.text(b, p, f"{CHOICE_LETTERS[majority[p, b]]} {100 * share[p, b]:.0f}%", ha="center",
                        va="center", fontsize=9)
        # White lines between cells.
        ax.set_xticks(np.arange(BUCKETS + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(len(POSITIONS) + 1) - 0.5, minor=True)
        ax.grid(which="minor", color="white", linewidth=2)
        ax.tick_params(which="minor", length=0)
        state_grid(ax)
        ax.set_title(point_title(point, len(choices)), fontsize=10, loc="left")
    axes[-1, 0].set_xlabel(BUCKET_LABEL)
    handles = [Patch(facecolor=color, label=f"{letter}: {choice}")
               for letter, choice, color in zip(CHOICE_LETTERS, CHOICES, CHOICE_COLORS)]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(CHOICES), fontsize=9,
               title="greedy action of most seeds (= : Q maximum tied between actions)", title_fontsize=9)
    fig.suptitle("Greedy policy (argmax Q) per state; text: the action and the share of seeds that choose it",
                 fontsize=12)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def plot_q_values(path, tables):
    points = first_point_per_algorithm(tables)
    fig = plt.figure(layout="constrained", figsize=(17, 2.5 * len(points) + 0.8))
    # A subfigure per algorithm: its title and colour bar span its three panels.
    for subfig, point in zip(np.atleast_1d(fig.subfigures(len(points), 1)), points):
        mean = tables[point].mean(axis=0)
        # One scale per algorithm, symmetric so that white is 0.
        limit = float(np.abs(mean).max()) or 1.0
        axes = subfig.subplots(1, len(ACTIONS), sharey=True)
        for a, (ax, action) in enumerate(zip(axes, ACTIONS)):
            image = ax.imshow(mean[:, :, a], cmap="RdBu", vmin=-limit, vmax=limit, aspect="auto")
            for p in range(len(POSITIONS)):
                for b in range(BUCKETS):
                    value = mean[p, b, a]
                    ax.text(b, p, f"{value:.3g}", ha="center", va="center", fontsize=7,
                            color="white" if abs(value) > 0.6 * limit else "black")
            state_grid(ax)
            ax.set_title(action, fontsize=10)
            ax.set_xlabel("queue-imbalance bucket k", fontsize=9)
        subfig.colorbar(image, ax=axes, shrink=0.9, pad=0.01, label="mean Q")
        subfig.suptitle(point_title(point, len(tables[point])), fontsize=11, x=0.01, ha="left")
    fig.suptitle(f"Mean Q value over seeds per action; {BUCKET_LABEL}", fontsize=12)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def plot_pnl_path(path, pnl_path, algorithms):
    policies = list(dict.fromkeys(pnl_path["policy"]))
    paths = {name: group.sort_values("step") for name, group in pnl_path.groupby("policy", sort=False)}
    # A learned policy is labelled by its algorithm ("q_learning", maybe followed by more words).
    learned = [name for name in policies if name.split(" ")[0] in algorithms]
    shown_position = (learned or policies)[0]
    colors = algorithm_colors(algorithms)
    baselines = iter(BASELINE_COLORS * len(policies))

    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(12, 6.5), layout="constrained",
                                      gridspec_kw={"height_ratios": [4, 1]})
    for name in policies:
        steps, pnl = paths[name]["step"], paths[name]["pnl"]
        label = f"{name}: final {pnl.iloc[-1]:.2f}"
        if name in learned:
            top.plot(steps, pnl, color=colors[name.split(" ")[0]], linewidth=1.8, label=label)
        else:
            top.plot(steps, pnl, color=next(baselines), linewidth=1.1, linestyle="--", label=label)
    top.axhline(0, color="black", linewidth=0.6)
    top.set_ylabel("cumulative PnL (USD)")
    top.grid(alpha=0.3)
    top.legend(loc="upper left", fontsize=9, title="policy: final PnL", title_fontsize=9)

    shown = paths[shown_position]
    sign = shown["position"].map(POSITION_SIGN)
    color = colors[shown_position.split(" ")[0]] if shown_position in learned else BASELINE_COLORS[0]
    bottom.fill_between(shown["step"], sign, step="post", color=color, alpha=0.3, linewidth=0)
    bottom.plot(shown["step"], sign, color=color, linewidth=0.8, drawstyle="steps-post")
    bottom.set_yticks([-1, 0, 1], ["short", "flat", "long"])
    bottom.set_ylim(-1.4, 1.4)
    bottom.set_ylabel(f"position of\n{shown_position}", fontsize=9)
    bottom.set_xlabel("step on the held-out split")
    bottom.grid(alpha=0.3)
    fig.suptitle("Greedy policies on the held-out split: cumulative PnL after each step", fontsize=12)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def run(run_dir):
    """Writes the plots; returns the files written and notes on those skipped."""
    if not run_dir.is_dir():
        raise InputError(f"{run_dir}: no such directory")
    curves = read_curves(run_dir / "curves.csv")
    tables = read_q_values(run_dir / "q_values.csv")
    pnl_file = run_dir / "pnl_path.csv"
    pnl_path = read_table(pnl_file, PNL_PATH_COLUMNS) if pnl_file.exists() else None

    written, notes = [], []
    for name, plot, data in (("curves.png", plot_curves, curves), ("policy.png", plot_policy, tables),
                             ("q_values.png", plot_q_values, tables)):
        plot(run_dir / name, data)
        written.append(run_dir / name)
    if pnl_path is None:
        notes.append(f"skipped pnl_path.png: no {pnl_file}")
    else:
        algorithms = set(curves["algorithm"]) | {point[0] for point in tables}
        plot_pnl_path(run_dir / "pnl_path.png", pnl_path, algorithms)
        written.append(run_dir / "pnl_path.png")
    return written, notes


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir", type=pathlib.Path, metavar="RUN_DIR", help="a run directory of mmsim tabular")
    args = parser.parse_args()
    try:
        written, notes = run(args.run_dir)
    except InputError as e:
        print(f"plot_tabular: {e}", file=sys.stderr)
        sys.exit(2)
    for output in written:
        print(f"wrote {output}")
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
