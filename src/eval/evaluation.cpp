#include "mmsim/eval/evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "env/backend.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/core/rng.hpp"
#include "mmsim/core/statistics.hpp"
#include "mmsim/data/book_row.hpp"
#include "mmsim/env/core/account.hpp"
#include "mmsim/env/core/episode.hpp"
#include "mmsim/env/core/latency.hpp"
#include "mmsim/env/layout.hpp"

namespace mmsim::eval {
namespace {

class RandomPolicy final : public Policy {
 public:
  RandomPolicy(std::uint64_t seed, int actions) : seed_(seed), actions_(actions) {}
  std::string name() const override { return "random"; }
  void decide(const PolicyInput& input, const Decision& decision) override {
    for (std::int64_t i = 0; i < input.n; ++i) {
      decision.actions[i] = static_cast<std::int32_t>(
          uniform_index(seed_, static_cast<std::uint64_t>(i), 0, static_cast<std::uint32_t>(input.step),
                        RngPurpose::random_policy, static_cast<std::uint64_t>(actions_)));
    }
  }

 private:
  std::uint64_t seed_;
  int actions_;
};

class FixedActionPolicy final : public Policy {
 public:
  FixedActionPolicy(int action, const ActionRow& row) : action_(action) {
    char label[96];
    std::snprintf(label, sizeof label, "always %d (%g/%g)", action, row.bid_offset, row.ask_offset);
    name_ = label;
  }
  std::string name() const override { return name_; }
  void decide(const PolicyInput& input, const Decision& decision) override {
    std::fill(decision.actions, decision.actions + input.n, action_);
  }

 private:
  int action_;
  std::string name_;
};

}  // namespace

std::unique_ptr<Policy> random_policy(std::uint64_t seed, int actions) {
  return std::make_unique<RandomPolicy>(seed, actions);
}

std::unique_ptr<Policy> fixed_action_policy(int action, const ActionRow& row) {
  return std::make_unique<FixedActionPolicy>(action, row);
}

EnvConfig protocol_env_config(const EnvConfig& base, const WindowPlan& plan, const Protocol& protocol) {
  EnvConfig c = base;
  c.split = protocol.split;
  c.episode_length = plan.steps;
  c.curriculum.enabled = false;
  c.liquidate_at_end = true;
  return c;
}

WindowPlan plan_windows(const EnvData& data, const EnvConfig& base, const Protocol& protocol) {
  if (protocol.windows < 1 || protocol.steps < 1) {
    throw Error("an evaluation needs at least one window of at least one step; this one has " +
                std::to_string(protocol.windows) + " window(s) of " + std::to_string(protocol.steps) + " step(s)");
  }
  WindowPlan plan;
  EnvConfig c = base;
  c.split = protocol.split;
  c.episode_length = protocol.steps;
  c.curriculum.enabled = false;
  const StepParams p = make_step_params(c, data, protocol.seed);
  plan.steps = std::min(protocol.steps, p.cap);
  const Split& split = episode_split(c.split, *data.splits);
  plan.split_rows = split.rows();
  std::vector<std::int64_t> begin, end;
  for (const RowRange& r : split.ranges) {
    begin.push_back(r.begin);
    end.push_back(r.end);
  }
  const WindowRanges w{begin.data(), end.data(), static_cast<int>(begin.size()), split.longest_range()};
  std::vector<char> covered(data.book->time_ns.size(), 0);
  for (std::int64_t i = 0; i < protocol.windows; ++i) {
    // The env's own first draw: the windows below are exactly the ones it plays.
    const std::int64_t start = draw_window_start(p.seed, w, static_cast<std::uint64_t>(i), 0, plan.steps);
    plan.starts.push_back(start);
    std::fill(covered.begin() + start, covered.begin() + start + plan.steps + 1, 1);
  }
  plan.distinct_rows = std::count(covered.begin(), covered.end(), 1);
  return plan;
}

namespace {

double quote_currency(const BookTensor& book, Ticks quote) {
  return quote == 0 ? std::numeric_limits<double>::quiet_NaN() : static_cast<double>(quote) * book.instrument.tick_size;
}

/// An env batch seen from the host: the CPU env's own buffers, or host copies
/// of another backend's outputs refreshed after every step, with the
/// decisions copied to the backend before it.
class HostEnv {
 public:
  HostEnv(const EnvData& data, const EnvConfig& config, std::int64_t n, std::uint64_t seed,
          const EvalBackend& backend)
      : backend_(backend),
        env_(backend.make_env ? backend.make_env(data, config, n, seed) : make_cpu_env(data, config, n, seed)) {
    if (!backend_.to_host) {
      views_ = env_->outputs();
      return;
    }
    MMSIM_ASSERT(backend_.allocate && backend_.to_env, "an evaluation backend copies both ways");
    env_buffers_ = env_->describe_outputs();
    host_copy_.emplace(output_fields(), n, env_->params(), *host_memory_);
    views_ = host_copy_->views();
    env_actions_ = backend_.allocate(static_cast<std::size_t>(n) * sizeof(std::int32_t));
    env_quotes_ = backend_.allocate(static_cast<std::size_t>(n) * sizeof(ActionRow));
    refresh();
  }

  BatchEnv& env() { return *env_; }
  const EnvOutputViews& outputs() const { return views_; }

  void step(const std::vector<std::int32_t>& actions) {
    if (!backend_.to_host) return env_->step(actions.data());
    backend_.to_env(env_actions_.get(), actions.data(), actions.size() * sizeof(std::int32_t));
    env_->step(static_cast<const std::int32_t*>(env_actions_.get()), backend_.stream);
    refresh();
  }

  /// Offsets in ticks, or in env.offset_unit with `in_offset_unit`.
  void step_quotes(const std::vector<ActionRow>& quotes, bool in_offset_unit) {
    const ActionRow* rows = quotes.data();
    if (backend_.to_host) {
      backend_.to_env(env_quotes_.get(), quotes.data(), quotes.size() * sizeof(ActionRow));
      rows = static_cast<const ActionRow*>(env_quotes_.get());
    }
    if (in_offset_unit) {
      env_->step_offsets(rows, backend_.stream);
    } else {
      env_->step_quotes(rows, backend_.stream);
    }
    if (backend_.to_host) refresh();
  }

 private:
  void refresh() {
    for (std::size_t k = 0; k < env_buffers_.size(); ++k) {
      backend_.to_host(host_copy_->buffers()[k].data, env_buffers_[k].data,
                       static_cast<std::size_t>(buffer_bytes(env_buffers_[k])));
    }
  }

  const EvalBackend& backend_;
  std::unique_ptr<BatchEnv> env_;
  EnvOutputViews views_;
  std::vector<BufferDesc> env_buffers_;
  std::unique_ptr<detail::BufferMemory> host_memory_ = detail::host_memory();
  /// The output buffers' host copies, from the same field table as the env's.
  std::optional<detail::BufferSet<EnvOutputViews, StepParams>> host_copy_;
  std::shared_ptr<void> env_actions_, env_quotes_;
};

}  // namespace

PolicyResult run_policy(const EnvData& data, const EnvConfig& base, const Protocol& protocol, const WindowPlan& plan,
                        Policy& policy, Trajectory* trajectory) {
  const EnvConfig config = protocol_env_config(base, plan, protocol);
  const std::int64_t n = protocol.windows;
  const BookTensor& book = *data.book;
  const BookPrices prices = book.prices();
  const double tick = book.instrument.tick_size;
  HostEnv host(data, config, n, protocol.seed, protocol.backend);
  BatchEnv* env = &host.env();
  const StepParams& params = env->params();
  const EnvOutputViews& out = host.outputs();
  PolicyResult r;
  r.name = policy.name();
  std::vector<double> markout_sum[kMarkoutCount];
  for (auto* v : {&r.pnl, &r.pnl_mark, &r.fills, &r.volume, &r.mean_abs_position, &r.flat_share, &r.mean_reward,
                  &r.spread_capture, &r.inventory_pnl, &r.liquidation, &r.fees}) {
    v->assign(static_cast<std::size_t>(n), 0.0);
  }
  for (int h = 0; h < kMarkoutCount; ++h) {
    markout_sum[h].assign(static_cast<std::size_t>(n), 0.0);
    r.markout_volume[h].assign(static_cast<std::size_t>(n), 0.0);
  }
  std::vector<std::int64_t> rows(plan.starts.begin(), plan.starts.end());
  // Markouts never look across the end of a session.
  std::vector<std::int64_t> ends(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    ends[static_cast<std::size_t>(i)] = session_end_of(book.session_bounds(), rows[static_cast<std::size_t>(i)]);
  }
  std::vector<double> position(static_cast<std::size_t>(n), 0.0);
  std::vector<std::int32_t> actions(static_cast<std::size_t>(n));
  std::vector<ActionRow> quotes(static_cast<std::size_t>(n));
  const bool explicit_quotes = policy.quotes_explicitly();
  const Decision decision{actions.data(), quotes.data()};
  PolicyInput input;
  input.n = n;
  input.obs_size = env->observation_size();
  input.steps = plan.steps;
  input.position = position.data();
  // Policies decide from the book the env shows, obs_delay rows back.
  std::vector<std::int64_t> seen_rows(static_cast<std::size_t>(n));
  input.row = seen_rows.data();
  for (std::int64_t step = 0; step < plan.steps; ++step) {
    input.obs = out.obs;
    input.step = step;
    for (std::size_t k = 0; k < seen_rows.size(); ++k) {
      seen_rows[k] = seen_row(rows[k], plan.starts[k], params.obs_delay);
    }
    policy.decide(input, decision);
    if (explicit_quotes) {
      host.step_quotes(quotes, policy.quotes_in_offset_unit());
    } else {
      host.step(actions);
    }
    const bool last = step + 1 == plan.steps;
    for (std::int64_t i = 0; i < n; ++i) {
      const auto k = static_cast<std::size_t>(i);
      const double mid_before = mid_price(prices, rows[k], tick);
      const double mid_after = mid_price(prices, rows[k] + 1, tick);
      const double bought = out.bid_volume[i], sold = out.ask_volume[i];
      const double held = position[k] + bought - sold;
      r.spread_capture[k] += bought * (mid_before - out.bid_price[i]) + sold * (out.ask_price[i] - mid_before);
      r.inventory_pnl[k] += held * (mid_after - mid_before);
      r.fees[k] += out.fees[i];
      // Markouts from the fill's row (the row the quotes filled against).
      const std::int64_t fill_row = rows[k] + 1;
      for (int h = 0; h < kMarkoutCount; ++h) {
        if (bought + sold == 0 || fill_row + kMarkoutHorizons[h] >= ends[k]) continue;
        const double later = mid_price(prices, fill_row + kMarkoutHorizons[h], tick);
        markout_sum[h][k] += bought * (later - out.bid_price[i]) + sold * (out.ask_price[i] - later);
        r.markout_volume[h][k] += bought + sold;
      }
      r.volume[k] += bought + sold;
      r.fills[k] += out.bid_fills[i] + out.ask_fills[i];
      r.mean_reward[k] += out.reward[i];
      if (trajectory != nullptr && i == 0) {
        Trajectory& t = *trajectory;
        t.row.push_back(rows[k]);
        t.mid.push_back(mid_before);
        t.bid_quote.push_back(quote_currency(book, out.bid_quote[i]));
        t.ask_quote.push_back(quote_currency(book, out.ask_quote[i]));
        t.position.push_back(last ? 0.0 : out.position[i]);
        t.pnl.push_back(last ? out.episode_pnl[i] : out.pnl[i]);
        t.reward.push_back(out.reward[i]);
        t.action.push_back(explicit_quotes ? -1 : actions[k]);
        t.bid_volume.push_back(bought);
        t.ask_volume.push_back(sold);
      }
      // At the last step the account was reset: its end position is 0 after liquidation.
      position[k] = last ? 0.0 : out.position[i];
      rows[k] += 1;
      r.mean_abs_position[k] += std::fabs(position[k]);
      r.flat_share[k] += std::fabs(position[k]) <= kFlatPosition ? 1.0 : 0.0;
      if (last) {
        MMSIM_ASSERT(out.terminated[i] == 1, "every window ends at the same step");
        r.pnl[k] = out.episode_pnl[i];
        r.pnl_mark[k] = out.episode_pnl_mark[i];
        r.liquidation[k] = out.liquidation[i];
      }
    }
  }
  env->check_faults(protocol.backend.stream);
  const double steps = static_cast<double>(plan.steps);
  for (std::int64_t i = 0; i < n; ++i) {
    const auto k = static_cast<std::size_t>(i);
    r.mean_abs_position[k] /= steps;
    r.flat_share[k] /= steps;
    r.mean_reward[k] /= steps;
  }
  for (int h = 0; h < kMarkoutCount; ++h) {
    r.markout[h].resize(static_cast<std::size_t>(n));
    for (std::size_t k = 0; k < static_cast<std::size_t>(n); ++k) {
      r.markout[h][k] = r.markout_volume[h][k] > 0 ? markout_sum[h][k] / r.markout_volume[h][k]
                                                    : std::numeric_limits<double>::quiet_NaN();
    }
  }
  return r;
}

Summary summarize(const PolicyResult& r) {
  Summary s;
  s.mean = stats::mean(r.pnl);
  s.stddev = stats::population_stddev(r.pnl);
  s.median = stats::quantile(r.pnl, 0.5);
  s.q05 = stats::quantile(r.pnl, 0.05);
  s.q95 = stats::quantile(r.pnl, 0.95);
  s.worst = stats::minimum(r.pnl);
  s.mean_over_std = s.stddev > 0 ? s.mean / s.stddev : 0.0;
  s.mean_abs_position = stats::mean(r.mean_abs_position);
  s.flat_share = stats::mean(r.flat_share);
  s.fills = stats::mean(r.fills);
  s.volume = stats::mean(r.volume);
  s.mean_reward = stats::mean(r.mean_reward);
  s.pnl_mark = stats::mean(r.pnl_mark);
  s.spread_capture = stats::mean(r.spread_capture);
  s.inventory_pnl = stats::mean(r.inventory_pnl);
  s.liquidation = stats::mean(r.liquidation);
  s.fees = stats::mean(r.fees);
  const double volume = stats::sum(r.volume);
  const double spread = stats::sum(r.spread_capture);
  const double fills = stats::sum(r.fills);
  s.spread_per_unit = volume > 0 ? spread / volume : 0.0;
  s.spread_per_fill = fills > 0 ? spread / fills : 0.0;
  for (int h = 0; h < kMarkoutCount; ++h) {
    double sum = 0, units = 0;
    for (std::size_t k = 0; k < r.markout[h].size(); ++k) {
      if (r.markout_volume[h][k] == 0) continue;
      sum += r.markout[h][k] * r.markout_volume[h][k];
      units += r.markout_volume[h][k];
    }
    s.markout[h] = units > 0 ? sum / units : std::numeric_limits<double>::quiet_NaN();
  }
  return s;
}

}  // namespace mmsim::eval
