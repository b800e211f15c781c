"""Peer benchmark: the tabular learners of a market-making notebook, in Python.

This is a peer written in this project, not the notebook's own code. It
follows the loop of the Jupyter notebook "The Market Making Problem" (its
get_initial_state, the step variant with a single amount_own, the
choose_action variant that always allows all three actions, sarsa, expected
SARSA, q_learning and train's epsilon schedule) one learner at a time in pure
Python + NumPy, to measure learner-steps per second of that approach next to
mmsim's batched C++ implementation on the same data.

The notebook's rules, as followed here:

* State: (position, bucket), position flat 0 / short 1 / long 2, bucket
  int(10 * bid_depth / (bid_depth + ask_depth)) clipped to 9. Q table of
  zeros, shape (3, 10, 3); actions sell 0 / hold 1 / buy 2.
* Fill: the bid is filled when FILL_PROBS[bucket] < U (U uniform on [0, 1),
  FILL_PROBS = linspace(0, 1, 10)), otherwise the ask.
* Volumes from the state's row: bid_vol = min(50000 / bid, bid_depth),
  ask_vol = min(50000 / ask, ask_depth).
* Buy with a bid fill: flat -> long at the bid; short -> flat booking
  bid_vol * (entry - bid); long stays long, entry repriced to the bid. Sell
  with an ask fill mirrors it (long -> flat books ask_vol * (ask - entry)).
  Reward: minus the trade cost (0) on a filled order, plus the booked PnL.
* Epsilon-greedy with np.random (a binomial coin, np.random.choice among
  the tied maxima), alpha 0.05, gamma 1, epsilon 0.5 * 0.5 ** (episode // 15).
* An episode runs over all its rows: N rows give N - 1 learner steps (the
  step that would need the row after the last is neither updated nor counted).

Data: the LOBSTER level-1 orderbook file (AskPrice1, AskSize1, BidPrice1,
BidSize1; prices in USD x 10000), prices in USD, consecutive duplicate rows
dropped (mmsim's data.step_on: any_change), then mmsim's training split: the
rows [warmup, warmup + train_rows) form the episode.

Usage (from anywhere; the data path defaults to this repository's):

    python bench/peer/notebook_tabular.py
        [--algorithm q_learning|sarsa|expected_sarsa|all] [--episodes 1]
        [--rows N] [--seed 0] [--json OUT]
        [--warmup 30] [--train-rows 74994] [--data FILE]

Only the episode loop is timed (time.perf_counter), not the data loading. It
prints a short summary and a JSON object (also written to --json).
"""

import argparse
import io
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

try:
    import zstandard
except ImportError:
    zstandard = None

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = (
    REPO_ROOT / "data" / "AAPL_2012-06-21_34200000_57600000_orderbook_1.csv.zst"
)
PRICE_SCALE = 10000.0

SELL, HOLD, BUY = 0, 1, 2
ACTIONS = [SELL, HOLD, BUY]
# The order in which the notebook lists the actions to np.random.choice.
CHOICE_ORDER = [HOLD, BUY, SELL]
FLAT, SHORT, LONG = 0, 1, 2
NUM_POSITIONS = 3
NUM_BUCKETS = 10
FILL_PROBS = np.linspace(0, 1, NUM_BUCKETS)

ALPHA = 0.05
GAMMA = 1.0
EPSILON = 0.5
EPOCH_LENGTH = 15
TRADE_COST = 0.0
CASH_DEAL_LIMIT = 50000.0

ALGORITHMS = ["q_learning", "sarsa", "expected_sarsa"]


def read_orderbook(path):
    """The file's rows as int64 (ask, ask_size, bid, bid_size)."""
    if zstandard is not None:
        with open(path, "rb") as compressed:
            text = zstandard.ZstdDecompressor().stream_reader(compressed).read()
    else:
        unzip = ["zstd", "-dc", str(path)]
        text = subprocess.run(unzip, capture_output=True, check=True).stdout
    return np.loadtxt(io.BytesIO(text), delimiter=",", dtype=np.int64, ndmin=2)


def load_episode_rows(path, warmup, train_rows, row_cap):
    """The episode's rows as float64 (ask USD, ask_depth, bid USD, bid_depth)."""
    book = read_orderbook(path)
    changed = np.ones(len(book), dtype=bool)
    changed[1:] = np.any(book[1:] != book[:-1], axis=1)
    book = book[changed].astype(np.float64)
    book[:, [0, 2]] /= PRICE_SCALE
    episode = book[warmup : warmup + train_rows]
    if row_cap is not None:
        episode = episode[:row_cap]
    return len(book), episode


def observe(row):
    """Bucket, prices and order volumes of one orderbook row."""
    ask, ask_depth, bid, bid_depth = row
    bid_share = bid_depth / (bid_depth + ask_depth)
    bucket = min(int(NUM_BUCKETS * bid_share), NUM_BUCKETS - 1)
    bid_vol = min(CASH_DEAL_LIMIT / bid, bid_depth)
    ask_vol = min(CASH_DEAL_LIMIT / ask, ask_depth)
    return bucket, bid, ask, bid_vol, ask_vol


def initial_state(rows):
    """Flat, no entry price, observing the episode's first row."""
    bucket, bid, ask, bid_vol, ask_vol = observe(next(rows))
    return FLAT, bucket, bid, ask, None, bid_vol, ask_vol


def step(state, action, rows):
    """Fill the action's order (or not), then observe the next row.

    Raises StopIteration when there is no next row.
    """
    position, bucket, bid, ask, entry_price, bid_vol, ask_vol = state
    reward = 0.0
    bid_filled = FILL_PROBS[bucket] < np.random.rand()
    if action == BUY and bid_filled:
        reward = -TRADE_COST
        if position == FLAT:
            position, entry_price = LONG, bid
        elif position == SHORT:
            reward += bid_vol * (entry_price - bid)
            position, entry_price = FLAT, None
        else:
            entry_price = bid
    elif action == SELL and not bid_filled:
        reward = -TRADE_COST
        if position == FLAT:
            position, entry_price = SHORT, ask
        elif position == LONG:
            reward += ask_vol * (ask - entry_price)
            position, entry_price = FLAT, None
        else:
            entry_price = ask
    bucket, bid, ask, bid_vol, ask_vol = observe(next(rows))
    return (position, bucket, bid, ask, entry_price, bid_vol, ask_vol), reward


def choose_action(state, q_value, eps):
    """Epsilon-greedy over all three actions, ties broken at random."""
    if np.random.binomial(1, eps) == 1:
        return np.random.choice(CHOICE_ORDER)
    values = q_value[state[0], state[1], CHOICE_ORDER]
    best_value = np.max(values)
    best_actions = [a for a, v in zip(CHOICE_ORDER, values) if v == best_value]
    return np.random.choice(best_actions)


def expected_value(q_next, eps):
    """The epsilon-greedy policy's expected Q over the next state's actions."""
    best_actions = np.flatnonzero(q_next == np.max(q_next))
    explore_share = eps / len(ACTIONS)
    greedy_share = (1.0 - eps) / len(best_actions)
    target = 0.0
    for action in ACTIONS:
        share = explore_share
        if action in best_actions:
            share += greedy_share
        target += share * q_next[action]
    return target


def sarsa(q_value, episode_rows, eps, expected):
    """One SARSA (or expected SARSA) episode; returns (reward sum, steps)."""
    rows = iter(episode_rows)
    state = initial_state(rows)
    action = choose_action(state, q_value, eps)
    rewards = 0.0
    steps = 0
    while True:
        try:
            next_state, reward = step(state, action, rows)
        except StopIteration:
            return rewards, steps
        next_action = choose_action(next_state, q_value, eps)
        rewards += reward
        if expected:
            target = expected_value(q_value[next_state[0], next_state[1], :], eps)
        else:
            target = q_value[next_state[0], next_state[1], next_action]
        current = q_value[state[0], state[1], action]
        td_error = reward + GAMMA * target - current
        q_value[state[0], state[1], action] += ALPHA * td_error
        state, action = next_state, next_action
        steps += 1


def q_learning(q_value, episode_rows, eps):
    """One Q-learning episode; returns (reward sum, steps)."""
    rows = iter(episode_rows)
    state = initial_state(rows)
    rewards = 0.0
    steps = 0
    while True:
        action = choose_action(state, q_value, eps)
        try:
            next_state, reward = step(state, action, rows)
        except StopIteration:
            return rewards, steps
        rewards += reward
        best_next = np.max(q_value[next_state[0], next_state[1], :])
        current = q_value[state[0], state[1], action]
        td_error = reward + GAMMA * best_next - current
        q_value[state[0], state[1], action] += ALPHA * td_error
        state = next_state
        steps += 1


def run_episode(algorithm, q_value, episode_rows, eps):
    if algorithm == "q_learning":
        return q_learning(q_value, episode_rows, eps)
    return sarsa(q_value, episode_rows, eps, expected=algorithm == "expected_sarsa")


def train(algorithm, episode_rows, episodes, seed):
    """One learner over `episodes` episodes; only the episode loop is timed."""
    np.random.seed(seed)
    q_value = np.zeros((NUM_POSITIONS, NUM_BUCKETS, len(ACTIONS)))
    reward_sums = []
    transitions = 0
    start = time.perf_counter()
    for episode in range(episodes):
        eps = EPSILON * (1.0 - EPSILON) ** (episode // EPOCH_LENGTH)
        reward_sum, steps = run_episode(algorithm, q_value, episode_rows, eps)
        reward_sums.append(float(reward_sum))
        transitions += steps
    seconds = time.perf_counter() - start
    return {
        "episodes": episodes,
        "transitions": transitions,
        "seconds": seconds,
        "learner_steps_per_second": transitions / seconds,
        "reward_sum_per_episode": reward_sums,
    }


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--algorithm", choices=ALGORITHMS + ["all"], default="all")
    parser.add_argument("--episodes", type=int, default=1)
    parser.add_argument(
        "--rows", type=int, help="cap on the episode's rows (quick runs)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the JSON result here")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--train-rows", type=int, default=74994)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    if args.episodes < 1:
        parser.error("--episodes must be at least 1")
    if args.rows is not None and args.rows < 2:
        parser.error("--rows must be at least 2 (one transition)")
    return args


def main():
    args = parse_args()
    deduplicated_rows, episode_rows = load_episode_rows(
        args.data, args.warmup, args.train_rows, args.rows
    )
    if len(episode_rows) < 2:
        sys.exit(f"the episode has {len(episode_rows)} rows; it needs at least 2")
    algorithms = ALGORITHMS if args.algorithm == "all" else [args.algorithm]

    result = {
        "script": "bench/peer/notebook_tabular.py",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
        "data": str(args.data),
        "deduplicated_rows": deduplicated_rows,
        "warmup": args.warmup,
        "train_rows": args.train_rows,
        "episode_rows": len(episode_rows),
        "seed": args.seed,
        "algorithms": {},
    }
    print(
        f"notebook-style tabular learners, {len(episode_rows)} rows per episode "
        f"(rows {args.warmup}..{args.warmup + len(episode_rows) - 1} "
        f"of {deduplicated_rows} deduplicated), seed {args.seed}"
    )
    for algorithm in algorithms:
        stats = train(algorithm, episode_rows, args.episodes, args.seed)
        result["algorithms"][algorithm] = stats
        print(
            f"  {algorithm:15s} {stats['episodes']} episode(s), "
            f"{stats['transitions']} steps in {stats['seconds']:.2f} s: "
            f"{stats['learner_steps_per_second']:,.0f} learner-steps/s, "
            f"last episode's reward sum {stats['reward_sum_per_episode'][-1]:.2f}"
        )

    text = json.dumps(result, indent=2)
    print(text)
    if args.json is not None:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
