#!/usr/bin/env python3
"""Plots an evaluation report (the output of `mmsim eval`) as two PNGs:

    python tools/plot_eval.py REPORT_DIR

reads REPORT_DIR/windows.csv, REPORT_DIR/trajectory.csv and REPORT_DIR/report.json
and writes

  REPORT_DIR/pnl_hist.png  the final PnL of every window per policy on one x axis:
                           step histograms of the agent, the random policy and the
                           Avellaneda-Stoikov policies on shared bins (top), and a
                           box plot with every window's PnL and the mean of every
                           policy, sorted by mean (bottom);
  REPORT_DIR/window.png    the sample window (window 0) played by the agent: mid
                           price with its quotes and fills, PnL (with the random and
                           Avellaneda-Stoikov policies for comparison), position,
                           reward and the action taken.

The agent is report.json's "agent" (the first policy when it is empty). The
Avellaneda-Stoikov policies are those that quote continuously (action -1 in
trajectory.csv) or whose name says Avellaneda, Stoikov or GLFT.

Missing or malformed input: one line on stderr naming the file (and column),
exit status 2. Needs the project's Python environment (tools/setup.sh): numpy,
pandas and matplotlib.
"""
import argparse
import json
import math
import pathlib
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from csv_input import InputError, read_csv_columns  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

WINDOWS_COLUMNS = (
    "policy,window,start_row,pnl,pnl_mark,fills,volume,mean_abs_position,flat_share,mean_reward,"
    "spread_capture,inventory_pnl,liquidation,fees,markout_1,markout_10,markout_100"
).split(",")
# Columns that may be empty (NaN): markouts of a window without fills.
WINDOWS_OPTIONAL = {"markout_1", "markout_10", "markout_100"}
TRAJECTORY_COLUMNS = (
    "policy,step,row,mid,bid_quote,ask_quote,position,pnl,reward,action,bid_volume,ask_volume"
).split(",")
# Columns that may be empty: a side that rested no quote.
TRAJECTORY_OPTIONAL = {"bid_quote", "ask_quote"}
REPORT_KEYS = ("split", "windows", "steps")
# What C++ streams and pandas both read as "not a number".
NAN_SPELLINGS = {"", "nan", "-nan", "NaN", "-NaN", "NAN", "-NAN"}

AGENT_COLOR = "#1f5fbf"
RANDOM_COLOR = "#555555"
AS_COLORS = ["#e07b00", "#2a9d3a", "#b03fa6", "#c0392b", "#8c6d31", "#17becf"]
OTHER_COLOR = "#b9b9b9"
DPI = 120


def read_table(path, columns, optional):
    """Reads a CSV written by the C++ side: every column in `columns` must be
    there; all but `policy` are numbers, empty only for those in `optional`."""
    raw = read_csv_columns(path, columns, "an evaluation report directory")
    table = pd.DataFrame({"policy": raw["policy"].str.strip()})
    if (table["policy"] == "").any():
        line = int(np.argmax((table["policy"] == "").to_numpy())) + 2
        raise InputError(f"{path}: column 'policy' is empty on line {line}")
    for column in columns:
        if column == "policy":
            continue
        text = raw[column].str.strip()
        values = pd.to_numeric(text.where(~text.isin(NAN_SPELLINGS)), errors="coerce")
        bad = values.isna() & ~text.isin(NAN_SPELLINGS)
        if column not in optional:
            bad |= ~np.isfinite(values.to_numpy(dtype=float))
        if bad.any():
            line = int(np.argmax(bad.to_numpy())) + 2  # the header is line 1
            shown = text.iloc[line - 2]
            what = "empty" if shown in NAN_SPELLINGS else f"not a finite number ({shown!r})"
            raise InputError(f"{path}: column '{column}' is {what} on line {line}")
        table[column] = values.astype(float)
    return table


def read_report(path):
    if not path.is_file():
        raise InputError(f"{path}: no such file (is {path.parent} an evaluation report directory?)")
    try:
        report = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: not valid JSON ({e})") from None
    if not isinstance(report, dict):
        raise InputError(f"{path}: not a JSON object")
    for key in REPORT_KEYS:
        if key not in report:
            raise InputError(f"{path}: missing key '{key}'")
    agent = report.get("agent", "")
    if not isinstance(agent, str):
        raise InputError(f"{path}: key 'agent' is not a string")
    return report


def is_avellaneda_stoikov(name, trajectory):
    if re.search(r"avellaneda|stoikov|glft", name, re.IGNORECASE):
        return True
    actions = trajectory.loc[trajectory["policy"] == name, "action"]
    return len(actions) > 0 and bool((actions < 0).all())


def policy_colors(agent, policies, as_policies):
    colors = {name: OTHER_COLOR for name in policies}
    for i, name in enumerate(n for n in policies if n in as_policies and n != agent):
        colors[name] = AS_COLORS[i % len(AS_COLORS)]
    if "random" in colors:
        colors["random"] = RANDOM_COLOR
    colors[agent] = AGENT_COLOR
    return colors


def plural(count, noun):
    return f"{count} {noun}" + ("" if count == 1 else "s")


def title_context(report):
    return f"split {report['split']}, {report['windows']} windows \u00d7 {report['steps']} steps"


def display_range(pnl):
    """The x range of the PnL figure: every window, unless a few outliers would
    squeeze the rest, in which case the 0.5% to 99.5% quantiles of all windows
    (widened to hold every mean), and the windows beyond are drawn at the edge."""
    pooled = np.concatenate(list(pnl.values()))
    means = [values.mean() for values in pnl.values()]
    full_lo, full_hi = pooled.min(), pooled.max()
    lo, hi = np.quantile(pooled, [0.005, 0.995])
    lo, hi = min(lo, *means), max(hi, *means)
    if full_hi - full_lo <= 1.3 * (hi - lo) or hi <= lo:
        lo, hi = full_lo, full_hi
    margin = 0.04 * (hi - lo) if hi > lo else 1.0
    return lo - margin, hi + margin, (lo, hi)


def horizontal_boxplot(ax, data, **kwargs):
    try:  # matplotlib >= 3.10
        return ax.boxplot(data, orientation="horizontal", **kwargs)
    except TypeError:
        return ax.boxplot(data, vert=False, **kwargs)


def plot_pnl_hist(path, report, windows, agent, featured, colors):
    policies = list(dict.fromkeys(windows["policy"]))
    pnl = {name: windows.loc[windows["policy"] == name, "pnl"].to_numpy() for name in policies}
    order = sorted(policies, key=lambda name: pnl[name].mean())  # best ends on top
    x_lo, x_hi, (lo, hi) = display_range(pnl)
    height_bottom = max(3.0, 0.38 * len(policies) + 0.8)
    fig, (top, bottom) = plt.subplots(
        2, 1, sharex=True, figsize=(12, min(4.2 + height_bottom, 12)),
        gridspec_kw={"height_ratios": [4.0, height_bottom]})

    # Top: step histograms on shared bins of the featured policies.
    shown = np.concatenate([pnl[name] for name in featured])
    inside = shown[(shown >= lo) & (shown <= hi)]
    bins = np.histogram_bin_edges(inside, bins=min(40, max(10, int(math.sqrt(len(shown)) * 1.5))), range=(lo, hi))
    off_axis = len(shown) - len(inside)
    for name in reversed(featured):  # the agent is drawn last, on top
        values, is_agent = pnl[name], name == agent
        label = f"{name} ({values.mean():.2f})"
        if is_agent:
            top.hist(values, bins=bins, histtype="stepfilled", color=colors[name], alpha=0.22, zorder=3)
        top.hist(values, bins=bins, histtype="step", color=colors[name], zorder=4 if is_agent else 2,
                 linewidth=2.6 if is_agent else 1.4, label=label)
        top.axvline(values.mean(), color=colors[name], linestyle="--", linewidth=1.6 if is_agent else 1.0,
                    zorder=4 if is_agent else 2)
    top.axvline(0, color="black", linewidth=0.8, zorder=1)
    top.set_ylabel("windows")
    top.set_ylim(0, top.get_ylim()[1] * 1.35)  # headroom for the legend
    top.yaxis.set_major_locator(MaxNLocator(integer=True))
    note = f"; {plural(off_axis, 'window')} beyond the x axis not shown" if off_axis else ""
    top.set_title(f"agent, random and Avellaneda-Stoikov policies (dashed: mean){note}", fontsize=10, loc="left")
    handles, labels = top.get_legend_handles_labels()
    top.legend(handles[::-1], labels[::-1], loc="best", fontsize=9, title="policy (mean)", title_fontsize=9,
               framealpha=0.9)
    top.grid(axis="x", alpha=0.3)

    # Bottom: every policy, box of its windows, every window as a dot, the mean as a diamond.
    rng = np.random.default_rng(0)  # jitter only, fixed for reproducible images
    boxes = horizontal_boxplot(bottom, [pnl[name] for name in order], widths=0.6, patch_artist=True,
                               showfliers=False, medianprops={"color": "black", "linewidth": 1.2}, whis=(5, 95))
    clamped = 0
    for y, (patch, name) in enumerate(zip(boxes["boxes"], order), start=1):
        values, is_agent = pnl[name], name == agent
        dark = colors[name] if colors[name] != OTHER_COLOR else "#777777"
        patch.set_facecolor(colors[name])
        patch.set_alpha(0.55 if is_agent else 0.35)
        patch.set_edgecolor(dark)
        patch.set_linewidth(2.0 if is_agent else 1.0)
        jitter = y + rng.uniform(-0.22, 0.22, len(values))
        inside = (values >= lo) & (values <= hi)
        bottom.scatter(values[inside], jitter[inside], s=6, color=dark, alpha=0.45, linewidths=0, zorder=3)
        for beyond, edge, marker in ((values < lo, (x_lo + lo) / 2, "<"), (values > hi, (x_hi + hi) / 2, ">")):
            if beyond.any():
                clamped += int(beyond.sum())
                bottom.scatter(np.full(beyond.sum(), edge), jitter[beyond], s=22, marker=marker, color=dark,
                               alpha=0.9, linewidths=0, zorder=3)
        bottom.scatter([values.mean()], [y], marker="D", s=42, color="white", edgecolor="black", linewidth=1.2,
                       zorder=5)
        # The mean and std of each policy, right of the plot.
        bottom.annotate(f"{values.mean():8.2f} \u00b1 {values.std():.2f}", xy=(1.01, y),
                        xycoords=("axes fraction", "data"), va="center", fontsize=9, family="monospace",
                        fontweight="bold" if is_agent else "normal", color=AGENT_COLOR if is_agent else "black")
    bottom.annotate("mean \u00b1 std", xy=(1.01, 1.0), xycoords="axes fraction", va="bottom", fontsize=9)
    bottom.axvline(0, color="black", linewidth=0.8, zorder=1)
    bottom.set_yticks(range(1, len(order) + 1))
    bottom.set_yticklabels(order)
    for label, name in zip(bottom.get_yticklabels(), order):
        if name == agent:
            label.set_fontweight("bold")
            label.set_color(AGENT_COLOR)
    bottom.set_ylim(0.4, len(order) + 0.6)
    bottom.set_xlim(x_lo, x_hi)
    bottom.set_title("every policy, best mean on top (\u25c7 mean, box quartiles, whiskers 5% to 95%)",
                     fontsize=10, loc="left")
    xlabel = "final PnL per window after liquidation and fees (currency); a dot is one window"
    if clamped:
        xlabel += f", < and > mark {plural(clamped, 'window')} beyond the axis"
    bottom.set_xlabel(xlabel)
    bottom.grid(axis="x", alpha=0.3)
    fig.suptitle(f"Final PnL per window \u2014 {title_context(report)}", fontsize=13)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def action_labels(policies):
    """Action index -> its offsets, from the names of the fixed-action policies
    ("always 3 (0.5/2)")."""
    labels = {}
    for name in policies:
        match = re.fullmatch(r"always (\d+) \((.*)\)", name)
        if match:
            labels[int(match.group(1))] = match.group(2)
    return labels


def plot_window(path, report, windows, trajectory, agent, comparison, colors):
    traj = {name: group.sort_values("step") for name, group in trajectory.groupby("policy", sort=False)}
    me = traj[agent]
    steps = me["step"].to_numpy()
    continuous = bool((me["action"] < 0).all())
    panels = ["price", "pnl", "position", "reward"] + ([] if continuous else ["action"])
    ratios = {"price": 3.0, "pnl": 2.2, "position": 1.4, "reward": 1.3, "action": 1.3}
    fig, axes = plt.subplots(len(panels), 1, sharex=True, figsize=(12, 9),
                             gridspec_kw={"height_ratios": [ratios[p] for p in panels]})
    ax = dict(zip(panels, axes))
    legend_at = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "fontsize": 8, "frameon": False}

    a = ax["price"]
    a.plot(steps, me["mid"], color="black", linewidth=0.9, label="mid", drawstyle="steps-post")
    a.plot(steps, me["bid_quote"], color="#2a9d3a", linewidth=0.7, alpha=0.8, label="bid quote",
           drawstyle="steps-post")
    a.plot(steps, me["ask_quote"], color="#c0392b", linewidth=0.7, alpha=0.8, label="ask quote",
           drawstyle="steps-post")
    bought = me[me["bid_volume"] > 0]
    sold = me[me["ask_volume"] > 0]
    a.scatter(bought["step"], bought["bid_quote"].fillna(bought["mid"]), marker="^", s=22, color="#1b7a2b",
              edgecolor="white", linewidth=0.4, zorder=5, label=f"bid filled (bought), {len(bought)}")
    a.scatter(sold["step"], sold["ask_quote"].fillna(sold["mid"]), marker="v", s=22, color="#a02020",
              edgecolor="white", linewidth=0.4, zorder=5, label=f"ask filled (sold), {len(sold)}")
    a.set_ylabel("price (currency)")
    a.legend(**legend_at)
    a.grid(alpha=0.3)

    a = ax["pnl"]
    for name in comparison:
        other = traj[name]
        a.plot(other["step"], other["pnl"], color=colors[name], linewidth=0.9, alpha=0.85,
               label=f"{name}: final {other['pnl'].iloc[-1]:.2f}")
    a.plot(steps, me["pnl"], color=AGENT_COLOR, linewidth=2.0, label=f"{agent}: final {me['pnl'].iloc[-1]:.2f}")
    a.axhline(0, color="black", linewidth=0.7)
    a.set_ylabel("PnL (currency)")
    a.legend(**legend_at)
    a.grid(alpha=0.3)

    a = ax["position"]
    a.fill_between(steps, me["position"], step="post", color=AGENT_COLOR, alpha=0.25, linewidth=0)
    a.plot(steps, me["position"], color=AGENT_COLOR, linewidth=0.9, drawstyle="steps-post")
    a.axhline(0, color="black", linewidth=0.7)
    a.set_ylabel("position\n(base units)")
    a.grid(alpha=0.3)

    a = ax["reward"]
    a.plot(steps, me["reward"], color="#6a6a6a", linewidth=0.6, label="reward per step")
    a.axhline(0, color="black", linewidth=0.5)
    a.set_ylabel("reward")
    cumulative = a.twinx()
    cumulative.plot(steps, me["reward"].cumsum(), color=AGENT_COLOR, linewidth=1.6, label="cumulative (right axis)")
    cumulative.set_ylabel("cumulative", color=AGENT_COLOR)
    cumulative.tick_params(axis="y", colors=AGENT_COLOR)
    handles = a.get_legend_handles_labels()[0] + cumulative.get_legend_handles_labels()[0]
    a.legend(handles=handles, **{**legend_at, "bbox_to_anchor": (1.07, 1.0)})
    a.grid(alpha=0.3)

    if "action" in ax:
        a = ax["action"]
        actions = me["action"].where(me["action"] >= 0)
        a.plot(steps, actions, color=AGENT_COLOR, linewidth=0.8, drawstyle="steps-post")
        known = action_labels(list(dict.fromkeys(windows["policy"])))
        shares = actions.value_counts(normalize=True)
        ticks = sorted(set(int(v) for v in shares.index) | set(known))
        a.set_yticks(ticks)
        a.set_yticklabels([f"{t}: {known.get(t, '?')}  {100 * shares.get(t, 0.0):3.0f}%" for t in ticks],
                          fontsize=7, family="monospace")
        a.set_ylim(min(ticks) - 0.6, max(ticks) + 0.6)
        a.set_ylabel("action\n(bid/ask offset,\nshare of steps)", fontsize=9)
        a.grid(alpha=0.3)

    axes[-1].set_xlabel("step")
    axes[-1].set_xlim(steps[0], steps[-1])
    start = windows.loc[(windows["policy"] == agent) & (windows["window"] == 0), "start_row"]
    start_row = int(start.iloc[0]) if len(start) else int(me["row"].iloc[0])
    fig.suptitle(f"Sample window 0 (start row {start_row}, split {report['split']}, {len(steps)} steps) "
                 f"played by {agent}", fontsize=13)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def run(report_dir):
    if not report_dir.is_dir():
        raise InputError(f"{report_dir}: no such directory")
    report_file = report_dir / "report.json"
    windows_file = report_dir / "windows.csv"
    trajectory_file = report_dir / "trajectory.csv"
    report = read_report(report_file)
    windows = read_table(windows_file, WINDOWS_COLUMNS, WINDOWS_OPTIONAL)
    trajectory = read_table(trajectory_file, TRAJECTORY_COLUMNS, TRAJECTORY_OPTIONAL)

    policies = list(dict.fromkeys(windows["policy"]))
    agent = report.get("agent", "") or policies[0]
    if agent not in policies:
        raise InputError(f"{windows_file}: no rows of the agent '{agent}' named in {report_file}")
    if not (trajectory["policy"] == agent).any():
        raise InputError(f"{trajectory_file}: no rows of the agent '{agent}'")
    as_policies = [name for name in policies if name != agent and is_avellaneda_stoikov(name, trajectory)]
    colors = policy_colors(agent, policies, as_policies)
    featured = [agent] + (["random"] if "random" in policies and agent != "random" else []) + as_policies
    traj_policies = set(trajectory["policy"])
    comparison = [name for name in featured[1:] if name in traj_policies]

    hist_png = report_dir / "pnl_hist.png"
    window_png = report_dir / "window.png"
    plot_pnl_hist(hist_png, report, windows, agent, featured, colors)
    plot_window(window_png, report, windows, trajectory, agent, comparison, colors)
    return hist_png, window_png


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report_dir", type=pathlib.Path, metavar="REPORT_DIR",
                        help="an evaluation report directory, e.g. RUN/eval/test")
    args = parser.parse_args()
    try:
        outputs = run(args.report_dir)
    except InputError as e:
        print(f"plot_eval: {e}", file=sys.stderr)
        sys.exit(2)
    for output in outputs:
        print(output)


if __name__ == "__main__":
    main()
