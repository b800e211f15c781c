"""Runs the peer strategy on hftbacktest 2.4.4 and compares it with mmsim.

The strategy (bench/peer/hftbacktest.yaml): 100 shares at the best bid and at
the best ask, zero latency, no fees, no inventory limit. An order whose price
is still the best keeps its queue place; one whose price is no longer the best
is cancelled and a new one posted at the new best; after a fill out, a new
order is posted at the best. The position is liquidated against the last
row's book (walking its levels, the excess at the deepest level's price). The
window is the test period of the GOOG 2012-06-21 LOBSTER sample in
bench/peer/hftbacktest.yaml, as build/bench/peer_mmsim reports it.

Install (hftbacktest is pinned: the workaround below is for 2.4.4):

    python -m venv .venv-peer && .venv-peer/bin/pip install hftbacktest==2.4.4 zstandard

Usage (from anywhere; paths default to this repository):

    .venv-peer/bin/python bench/peer/peer_hftbacktest.py [--markdown] [--json FILE]
        [--mmsim build/bench/peer_mmsim] [--config bench/peer/hftbacktest.yaml]
        [--time-limit SECONDS]

It prints one table: hftbacktest; mmsim with only executions filling
(env.book_crossing=ignore, env.trade_through=printed_size,
env.queue_cap=none, env.hidden_executions=ignore: its trades model before
the matching-engine rules); mmsim with its defaults (those rules, which are
hftbacktest's); and mmsim with its defaults stepping only on the last row of
each timestamp (data.same_timestamp=last_row), as hftbacktest acts after all
events of one timestamp. --markdown prints it for docs/results.md.

Conversion of the LOBSTER day into hftbacktest events: the book of the
window's first row as depth snapshot events at that row's time, then for each
message line of the window, in file order and stamped with the line's time
(exch_ts = local_ts): an execution (types 4, 5) becomes a trade event whose
side is the aggressor's (LOBSTER's direction is the resting order's side, so
+1 is a sell trade), before the line's depth events; then one depth event per
price level whose visible quantity changed from the previous orderbook line
(quantity 0 for a level that left the 10 shown levels).

hftbacktest setup: risk-averse queue model, partial-fill exchange, constant
order latency 0/0, no fees, tick 0.01. Workaround for a 2.4.4 bug: when a
trade at an order's price overshoots the queue by exactly the order's
remaining quantity, the partial-fill exchange fills the order but leaves it
in its book, and the next trade at that price fails with InvalidOrderStatus
(error 14; a loop that ignores the code then never advances). Orders here are
for 99.9999 shares with a lot size of 0.0001: overshoots are whole shares, so
they never equal a remaining quantity, and every fill out removes the order.
The fills therefore differ from 100-share orders by 0.0001 share per fill out.

Accounting is done here from the orders' executed quantities (2.4.4's local
position counts only the last fill of a filled-out order). Fills are counted
per order and timestamp: the strategy sees one update per timestamp, so two
executions of one order in a single timestamp count once (mmsim counts each
execution message).
"""

import argparse
import datetime
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import zstandard
from hftbacktest import (
    BUY_EVENT,
    DEPTH_EVENT,
    DEPTH_SNAPSHOT_EVENT,
    EXCH_EVENT,
    GTX,
    LIMIT,
    LOCAL_EVENT,
    NEW,
    SELL_EVENT,
    TRADE_EVENT,
    BacktestAsset,
    HashMapMarketDepthBacktest,
    event_dtype,
)
from hftbacktest.order import PARTIALLY_FILLED
from numba import njit

REPO = Path(__file__).resolve().parents[2]
DATA_PREFIX = REPO / "data" / "GOOG_2012-06-21_34200000_57600000_"
DAY_START_NS = int(datetime.datetime(2012, 6, 21, tzinfo=datetime.timezone.utc).timestamp()) * 10**9
PRICE_SCALE = 10_000  # LOBSTER prices are USD x 10000
TICK_SIZE = 0.01
LEVELS = 10

# The 2.4.4 workaround (module docstring): quantities in lots of 0.0001 share.
ORDER_QTY = 99.9999
LOT_SIZE = 0.0001

# mmsim's earlier trades model: only executions fill, the queue ahead moves only by them.
EXECUTIONS_ONLY = [
    "env.book_crossing=ignore",
    "env.trade_through=printed_size",
    "env.queue_cap=none",
    "env.hidden_executions=ignore",
]
# hftbacktest acts after all events of one timestamp.
LAST_ROW_OF_A_TIMESTAMP = ["data.same_timestamp=last_row"]

# wait_next_feed's return codes; 10 and above are errors (14: InvalidOrderStatus).
TIMED_OUT, END_OF_DATA, MARKET_FEED = 0, 1, 2
WAIT_TIMEOUT_NS = 3600 * 10**9
WAKES_PER_CHUNK = 2000  # feeds per compiled call, between wall-clock checks

# Per side (row 0 buys, row 1 sells): the resting order and what it traded.
side_dtype = np.dtype(
    [
        ("order_id", "i8"),  # -1: no order
        ("seen_executed", "f8"),  # executed quantity of the order already counted
        ("shares", "f8"),
        ("value", "f8"),  # sum of shares x price
        ("fills", "i8"),
        ("requotes", "i8"),  # cancelled because the best price moved, re-posted
        ("posts", "i8"),
    ]
)


def read_zst_text(path):
    with open(path, "rb") as f:
        return zstandard.ZstdDecompressor().stream_reader(f).read().decode()


def load_lobster():
    """Orderbook rows (int64, 40 columns) and messages [time_ns, type, id, size, price, direction]."""
    book = np.loadtxt(io.StringIO(read_zst_text(f"{DATA_PREFIX}orderbook_10.csv.zst")), delimiter=",", dtype=np.int64)
    rows = []
    for line in read_zst_text(f"{DATA_PREFIX}message_10.csv.zst").splitlines():
        fields = line.split(",")
        seconds, _, fraction = fields[0].partition(".")
        # Exact decimal parse: the times have nanosecond digits.
        time_ns = DAY_START_NS + int(seconds) * 10**9 + int(fraction.ljust(9, "0")[:9])
        rows.append([time_ns] + [int(x) for x in fields[1:6]])
    return book, np.array(rows, dtype=np.int64)


def window_lines(book, messages, window):
    """File lines of mmsim's first and last rows: with step_on best_price_change
    mmsim keeps the lines whose best bid or best ask price changed."""
    best_prices = book[:, [0, 2]]
    kept = np.ones(len(book), dtype=bool)
    kept[1:] = np.any(best_prices[1:] != best_prices[:-1], axis=1)
    kept_lines = np.flatnonzero(kept)
    first_line, last_line = kept_lines[window["first_row"]], kept_lines[window["last_row"]]
    if (messages[first_line, 0], messages[last_line, 0]) != (window["first_time_ns"], window["last_time_ns"]):
        sys.exit("peer_hftbacktest: mmsim's window rows do not match the data's best-price-change rows")
    return int(first_line), int(last_line)


def book_side(row, bids):
    """{price in USD x 10000: size} of the shown levels of one side."""
    prices, sizes = (row[2::4], row[3::4]) if bids else (row[0::4], row[1::4])
    return {int(p): int(s) for p, s in zip(prices, sizes) if s > 0}


def lobster_events(book, messages, first_line, last_line):
    """hftbacktest events for the window (module docstring)."""
    flags = EXCH_EVENT | LOCAL_EVENT
    events = []

    def add_depth(kind, time_ns, bids, price, qty):
        events.append((flags | kind | (BUY_EVENT if bids else SELL_EVENT), time_ns, time_ns, price / PRICE_SCALE, qty))

    start_ns = int(messages[first_line, 0])
    for bids in (True, False):
        for price, qty in sorted(book_side(book[first_line], bids).items()):
            add_depth(DEPTH_SNAPSHOT_EVENT, start_ns, bids, price, qty)
    for line in range(first_line + 1, last_line + 1):
        time_ns, kind, _, size, price, direction = (int(x) for x in messages[line])
        if kind in (4, 5):
            aggressor = SELL_EVENT if direction == 1 else BUY_EVENT
            events.append((flags | TRADE_EVENT | aggressor, time_ns, time_ns, price / PRICE_SCALE, size))
        for bids in (True, False):
            before, after = book_side(book[line - 1], bids), book_side(book[line], bids)
            for level_price in sorted(before.keys() | after.keys()):
                if before.get(level_price, 0) != after.get(level_price, 0):
                    add_depth(DEPTH_EVENT, time_ns, bids, level_price, after.get(level_price, 0))
    array = np.zeros(len(events), dtype=event_dtype)
    for field, column in zip(("ev", "exch_ts", "local_ts", "px", "qty"), zip(*events)):
        array[field] = column
    return array


@njit
def quote_best_prices(hbt, sides, next_order_id, max_wakes):
    """Runs up to max_wakes feed timestamps; returns wait_next_feed's last code
    or an order call's error code. sides and next_order_id[0] carry the state
    between calls."""
    code = MARKET_FEED
    for _ in range(max_wakes):
        code = hbt.wait_next_feed(False, WAIT_TIMEOUT_NS)
        if code != TIMED_OUT and code != MARKET_FEED:
            return code
        # All events of this timestamp are processed: count fills, then re-quote.
        orders = hbt.orders(0)
        depth = hbt.depth(0)
        for s in range(2):
            side = sides[s]
            best_tick = depth.best_bid_tick if s == 0 else depth.best_ask_tick
            resting = False
            if side.order_id >= 0:
                order = orders.get(side.order_id)
                executed = order.qty - order.leaves_qty
                if executed > side.seen_executed:
                    side.shares += executed - side.seen_executed
                    side.value += (executed - side.seen_executed) * order.price
                    side.fills += 1
                    side.seen_executed = executed
                resting = order.status == NEW or order.status == PARTIALLY_FILLED
                if resting and order.price_tick == best_tick:
                    continue
                if resting:
                    code = hbt.cancel(0, side.order_id, False)
                    if code != 0:
                        return code
                    side.requotes += 1
            side.order_id = next_order_id[0]
            side.seen_executed = 0.0
            side.posts += 1
            next_order_id[0] += 1
            price = best_tick * TICK_SIZE
            if s == 0:
                code = hbt.submit_buy_order(0, side.order_id, price, ORDER_QTY, GTX, LIMIT, False)
            else:
                code = hbt.submit_sell_order(0, side.order_id, price, ORDER_QTY, GTX, LIMIT, False)
            if code != 0:
                return code
        hbt.clear_inactive_orders(0)
    return code


def run_hftbacktest(events, time_limit_s):
    asset = (
        BacktestAsset()
        .data([events])  # hftbacktest reads the array in place: events must outlive the backtest
        .linear_asset(1.0)
        .constant_order_latency(0, 0)
        .risk_adverse_queue_model()
        .partial_fill_exchange()
        .trading_value_fee_model(0.0, 0.0)
        .tick_size(TICK_SIZE)
        .lot_size(LOT_SIZE)
    )
    hbt = HashMapMarketDepthBacktest([asset])
    sides = np.zeros(2, dtype=side_dtype)
    sides["order_id"] = -1
    next_order_id = np.ones(1, dtype=np.int64)
    deadline = time.monotonic() + time_limit_s
    code = MARKET_FEED
    while code in (TIMED_OUT, MARKET_FEED):
        if time.monotonic() > deadline:
            sys.exit(f"peer_hftbacktest: hftbacktest ran past {time_limit_s} s (t = {hbt.current_timestamp} ns)")
        code = quote_best_prices(hbt, sides, next_order_id, WAKES_PER_CHUNK)
    hbt.close()
    if code != END_OF_DATA:
        sys.exit(f"peer_hftbacktest: hftbacktest failed with code {code} at t = {hbt.current_timestamp} ns")
    bought, sold = sides[0], sides[1]
    return {
        "bought": float(bought["shares"]),
        "sold": float(sold["shares"]),
        "buy_fills": int(bought["fills"]),
        "sell_fills": int(sold["fills"]),
        "cash": float(sold["value"] - bought["value"]),
        "requotes": int(bought["requotes"] + sold["requotes"]),
        "orders_posted": int(bought["posts"] + sold["posts"]),
    }


def liquidation_proceeds(row, position):
    """Cash from flattening the position against one orderbook row: a long
    sells into the bids, a short buys the asks, the excess over the shown
    depth at the deepest level's price."""
    levels = sorted(book_side(row, position > 0).items(), reverse=position > 0)
    left, value, price = abs(position), 0.0, 0
    for price, size in levels:
        take = min(left, size)
        value += take * price
        left -= take
    value = (value + left * price) / PRICE_SCALE
    return value if position > 0 else -value


def run_mmsim(mmsim, config, overrides):
    command = [str(mmsim), "--config", str(config)]
    for override in overrides:
        command += ["--set", override]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)


def table(columns, markdown):
    """columns: {title: result}; one row per quantity."""
    rows = [
        ("buy fills", "buy_fills"),
        ("sell fills", "sell_fills"),
        ("shares bought", "bought"),
        ("shares sold", "sold"),
        ("final position", "position_before_liquidation"),
        ("PnL mark-to-mid (USD)", "pnl_mark"),
        ("PnL after liquidation (USD)", "pnl"),
        ("re-quotes", "requotes"),
        ("steps (mmsim)", "steps"),
    ]

    def cell(value, key):
        if value is None:
            return "-"
        if key.startswith("pnl"):
            return f"{value:,.2f}"
        return f"{value:,.4f}".rstrip("0").rstrip(".")

    header = ["", *columns]
    body = [[label, *(cell(result.get(key), key) for result in columns.values())] for label, key in rows]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "| --- |" + " ---: |" * len(columns)]
        lines += ["| " + " | ".join(r) + " |" for r in body]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    return "\n".join(
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
        for r in [header, *body]
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mmsim", type=Path, default=REPO / "build" / "bench" / "peer_mmsim")
    parser.add_argument("--config", type=Path, default=Path(__file__).resolve().parent / "hftbacktest.yaml")
    parser.add_argument("--markdown", action="store_true", help="print the table as markdown")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write all numbers to FILE ('-': stdout)")
    parser.add_argument("--time-limit", type=float, default=600.0, help="wall-clock seconds for hftbacktest")
    args = parser.parse_args()

    started = time.monotonic()
    mmsim_executions_only = run_mmsim(args.mmsim, args.config, EXECUTIONS_ONLY)
    mmsim_defaults = run_mmsim(args.mmsim, args.config, [])
    mmsim_last_row = run_mmsim(args.mmsim, args.config, LAST_ROW_OF_A_TIMESTAMP)
    window = {k: mmsim_defaults[k] for k in ("first_row", "last_row", "first_time_ns", "last_time_ns")}

    book, messages = load_lobster()
    first_line, last_line = window_lines(book, messages, window)
    events = lobster_events(book, messages, first_line, last_line)
    hbt = run_hftbacktest(events, args.time_limit)

    last_row = book[last_line]
    mid = (last_row[0] + last_row[2]) / 2 / PRICE_SCALE
    position = hbt["bought"] - hbt["sold"]
    hbt["position_before_liquidation"] = position
    hbt["pnl_mark"] = hbt["cash"] + position * mid
    hbt["pnl"] = hbt["cash"] + liquidation_proceeds(last_row, position)

    timestamps, per_timestamp = np.unique(messages[first_line + 1 : last_line + 1, 0], return_counts=True)
    window.update(
        first_line=first_line + 1,  # 1-based file lines
        last_line=last_line + 1,
        messages=last_line - first_line,
        timestamps=len(timestamps),
        messages_sharing_a_timestamp=int(per_timestamp[per_timestamp > 1].sum()),
        events=len(events),
    )
    columns = {
        "hftbacktest 2.4.4": hbt,
        "mmsim (executions only)": mmsim_executions_only,
        "mmsim (defaults)": mmsim_defaults,
        "mmsim (defaults, last row of a timestamp)": mmsim_last_row,
    }
    print(table(columns, args.markdown))
    elapsed = time.monotonic() - started
    print(
        f"\nwindow: file lines {window['first_line']}-{window['last_line']}, {window['messages']} messages "
        f"at {window['timestamps']} timestamps, {len(events)} hftbacktest events; "
        f"hftbacktest posted {hbt['orders_posted']} orders; mmsim took {mmsim_defaults['steps']} steps; "
        f"{elapsed:.0f} s"
    )
    if args.json:
        dump = json.dumps({"window": window, **columns, "elapsed_s": elapsed}, indent=2)
        if str(args.json) == "-":
            print(dump)
        else:
            args.json.write_text(dump + "\n")


if __name__ == "__main__":
    main()
