// The mmsim side of the peer comparisons (bench/peer/): plays action 0 of a
// config's action table at every step of one window over the longest range
// of env.split and prints what it traded as one JSON object.
//
//   peer_mmsim --config FILE [--set key=value ...]

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "mmsim/config/config.hpp"
#include "mmsim/config/market.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/env/batch_env.hpp"

namespace {

struct Totals {
  double bought = 0, sold = 0;
  std::int64_t buy_fills = 0, sell_fills = 0, steps = 0;
  double position_before_liquidation = 0, pnl_mark = 0, pnl = 0;
  std::int64_t first_row = 0, last_row = 0, first_time_ns = 0, last_time_ns = 0;
};

Totals play(const mmsim::Config& config) {
  const mmsim::MarketData market = mmsim::load_market(config);
  mmsim::EnvConfig env_config = config.env;
  const mmsim::Split& split = mmsim::episode_split(env_config.split, market.splits);
  mmsim::RowRange longest = split.ranges.front();
  for (const mmsim::RowRange& r : split.ranges) {
    if (r.size() > longest.size()) longest = r;
  }
  env_config.episode_length = longest.size() - 1;
  env_config.curriculum.enabled = false;
  env_config.liquidate_at_end = true;
  auto env = mmsim::make_cpu_env(market.view(), env_config, 1, config.seed, 1);
  env->reset();
  Totals t;
  t.first_row = longest.begin;
  t.last_row = longest.end - 1;
  t.first_time_ns = market.loaded.book.time_ns[static_cast<std::size_t>(t.first_row)];
  t.last_time_ns = market.loaded.book.time_ns[static_cast<std::size_t>(t.last_row)];
  const std::int32_t action = 0;
  const auto& o = env->outputs();
  for (std::int64_t k = 0; k < env_config.episode_length; ++k) {
    env->step(&action);
    t.bought += o.bid_volume[0];
    t.sold += o.ask_volume[0];
    t.buy_fills += o.bid_fills[0];
    t.sell_fills += o.ask_fills[0];
    t.steps += 1;
  }
  env->check_faults();
  t.position_before_liquidation = t.bought - t.sold;
  t.pnl_mark = o.episode_pnl_mark[0];
  t.pnl = o.episode_pnl[0];
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_file;
  std::vector<std::string> overrides;
  for (int a = 1; a + 1 < argc; a += 2) {
    const std::string flag = argv[a];
    if (flag == "--config") {
      config_file = argv[a + 1];
    } else if (flag == "--set") {
      overrides.emplace_back(argv[a + 1]);
    } else {
      std::cerr << "peer_mmsim: unknown option " << flag << "\n";
      return 2;
    }
  }
  if (config_file.empty() || argc % 2 == 0) {
    std::cerr << "usage: peer_mmsim --config FILE [--set key=value ...]\n";
    return 2;
  }
  try {
    const Totals t = play(mmsim::load_config(config_file, overrides));
    std::printf(
        "{\"steps\": %lld, \"first_row\": %lld, \"last_row\": %lld, \"first_time_ns\": %lld, \"last_time_ns\": %lld, "
        "\"bought\": %.6f, \"sold\": %.6f, \"buy_fills\": %lld, \"sell_fills\": %lld, "
        "\"position_before_liquidation\": %.6f, \"pnl_mark\": %.6f, \"pnl\": %.6f}\n",
        static_cast<long long>(t.steps), static_cast<long long>(t.first_row), static_cast<long long>(t.last_row),
        static_cast<long long>(t.first_time_ns), static_cast<long long>(t.last_time_ns), t.bought, t.sold,
        static_cast<long long>(t.buy_fills), static_cast<long long>(t.sell_fills), t.position_before_liquidation,
        t.pnl_mark, t.pnl);
  } catch (const mmsim::Error& e) {
    std::cerr << "peer_mmsim: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
