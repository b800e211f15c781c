// The key tables of the env sections: env (the market-making environment)
// and fill_prob. Both are checked when an env is built, not when the config is
// parsed: commands that build no env accept a config without an action table.

#include "config/sections.hpp"

namespace mmsim {
namespace config {
namespace {

/// env.actions: a list of [bid_offset, ask_offset, bid_size, ask_size] rows.
class ActionsKey final : public Key<EnvConfig> {
 public:
  ActionsKey() : Key("actions", "the action table; an env needs at least one row") {}

  void read(Reader& section, EnvConfig& env) const override {
    const YAML::Node actions = section.get(name());
    if (!actions || actions.IsNull()) return;
    if (!actions.IsSequence()) section.fail(section.key(name()), actions, "expected a list of " + kRow);
    env.actions.clear();
    for (std::size_t k = 0; k < actions.size(); ++k) {
      const YAML::Node row = actions[k];
      const std::string key = section.key(name()) + "[" + std::to_string(k) + "]";
      if (!row.IsSequence() || row.size() != 4) {
        section.fail(key, row, "expected " + kRow + ", got '" + Reader::text(row) + "'");
      }
      ActionRow action;
      double* fields[4] = {&action.bid_offset, &action.ask_offset, &action.bid_size, &action.ask_size};
      for (int f = 0; f < 4; ++f) {
        try {
          *fields[f] = row[f].as<double>();
        } catch (const YAML::Exception&) {
          section.fail(key, row[f], "expected a number, got '" + Reader::text(row[f]) + "'");
        }
      }
      env.actions.push_back(action);
    }
  }

  void write(YAML::Emitter& out, const EnvConfig& env) const override {
    out << YAML::Key << name() << YAML::Value << YAML::BeginSeq;
    for (const ActionRow& a : env.actions) {
      out << YAML::Flow << std::vector<double>{a.bid_offset, a.ask_offset, a.bid_size, a.ask_size};
    }
    out << YAML::EndSeq;
  }

  void check(const EnvConfig& env, const Checker& checker) const override {
    if (env.actions.empty()) checker.fail(name(), "the action table is empty: " + allowed());
    if (env.actions.size() > static_cast<std::size_t>(kMaxActions)) {
      checker.fail(name(), "expected " + allowed() + ", got " + std::to_string(env.actions.size()) + " rows");
    }
    for (std::size_t k = 0; k < env.actions.size(); ++k) {
      const ActionRow& a = env.actions[k];
      for (double value : {a.bid_offset, a.ask_offset, a.bid_size, a.ask_size}) {
        if (!kField.contains(value)) {
          // A negative offset would quote through the mid.
          checker.fail(name() + "[" + std::to_string(k) + "]",
                       "expected " + kRow + ", each a number " + kField.describe() + ", got [" +
                           format_number(a.bid_offset) + ", " + format_number(a.ask_offset) + ", " +
                           format_number(a.bid_size) + ", " + format_number(a.ask_size) + "]");
        }
      }
    }
  }

  void document(const EnvConfig&, const std::string& prefix, std::vector<KeyDoc>& rows) const override {
    rows.push_back({prefix + name(), "`[]`", allowed() + ", each a number " + kField.describe(), doc()});
  }

 private:
  static std::string allowed() { return "1 to " + std::to_string(kMaxActions) + " rows " + kRow; }

  inline static const std::string kRow = "[bid_offset, ask_offset, bid_size, ask_size]";
  inline static const Range kField = Range::at_least(0);
};

void check_latency(const LatencyConfig& latency, const Checker& checker) {
  if (latency.delay + latency.jitter > kMaxOrderDelay) {
    checker.fail("jitter", "expected " + checker.key("delay") + " + " + checker.key("jitter") + " <= " +
                               std::to_string(kMaxOrderDelay) + " steps, got " +
                               std::to_string(latency.delay) + " + " + std::to_string(latency.jitter),
                 {"delay"});
  }
}

void check_env(const EnvConfig& env, const Checker& checker) {
  if (env.last_step == LastStep::liquidate_only && !env.liquidate_at_end) {
    checker.fail("last_step",
                 "'liquidate_only' discards the last step's action for the liquidation, and " +
                     checker.key("liquidate_at_end") + " is false: set it to true or use 'quote_then_liquidate'",
                 {"liquidate_at_end"});
  }
  if (env.curriculum.enabled && env.curriculum.max_length < env.episode_length) {
    checker.fail("curriculum.max_length",
                 "expected a length >= " + checker.key("episode_length") + " (" + std::to_string(env.episode_length) +
                     ") when the curriculum is enabled, got " + std::to_string(env.curriculum.max_length),
                 {"episode_length", "curriculum.enabled"});
  }
}

const Table<CurriculumConfig>& curriculum_keys() {
  static const Table<CurriculumConfig> table{{
      flag("enabled", &CurriculumConfig::enabled, "grow the episode length"),
      number("increment", &CurriculumConfig::increment, Range::at_least(0), "steps added ..."),
      number("every", &CurriculumConfig::every, Range::at_least(1), "... every this many finished episodes"),
      number("max_length", &CurriculumConfig::max_length, Range::at_least(1),
             "upper bound, at least `episode_length` when enabled"),
      choice("count", &CurriculumConfig::count, "whose finished episodes count"),
  }};
  return table;
}

const Table<LatencyConfig>& latency_keys() {
  static const Table<LatencyConfig> table{
      {
          number("delay", &LatencyConfig::delay, Range::closed(0, kMaxOrderDelay),
                 "steps from choosing an order to its taking effect (docs/mechanics.md, \"Latency\")"),
          number("jitter", &LatencyConfig::jitter, Range::at_least(0),
                 "each order's delay is `delay` + a uniform draw in [0, jitter]; `delay + jitter` <= " +
                     std::to_string(kMaxOrderDelay)),
          number("obs_delay", &LatencyConfig::obs_delay, Range::closed(0, kMaxObservationDelay),
                 "the book the agent (and each baseline) sees lags the real one by this many steps"),
      },
      check_latency};
  return table;
}

const Table<RewardConfig>& reward_keys() {
  static const Table<RewardConfig> table{{
      choice("kind", &RewardConfig::kind, "which PnL part is dampened"),
      number("eta", &RewardConfig::eta, Range::closed(0, 1), "dampening factor"),
      choice("penalty", &RewardConfig::penalty, "position penalty f"),
      number("penalty_weight", &RewardConfig::penalty_weight, Range::at_least(0), "lambda"),
  }};
  return table;
}

const Table<ObservationConfig>& observation_keys() {
  static const Table<ObservationConfig> table{{
      number("stack", &ObservationConfig::stack, Range::closed(1, kMaxStack), "frames per observation"),
      number("cash_scale", &ObservationConfig::cash_scale, Range::above(0), "cash feature = cash / this"),
      number("position_scale", &ObservationConfig::position_scale, Range::above(0),
             "position feature = position / this"),
      number("pnl_scale", &ObservationConfig::pnl_scale, Range::above(0), "PnL features = PnL / this"),
  }};
  return table;
}

}  // namespace

const Table<EnvConfig>& env_keys() {
  static const Range fee = Range::open(-10000, 10000);
  static const Table<EnvConfig> table{
      {
          choice("split", &EnvConfig::split, "where episode windows are drawn"),
          number("episode_length", &EnvConfig::episode_length, Range::at_least(1),
                 "steps per episode (L, or L0 of the curriculum); capped at the split's longest range - 1"),
          section("curriculum", &EnvConfig::curriculum, curriculum_keys()),
          choice("offset_unit", &EnvConfig::offset_unit, "unit of the action table's offsets"),
          choice("size_unit", &EnvConfig::size_unit, "unit of the action table's sizes: lots or notional"),
          std::make_shared<ActionsKey>(),
          choice("quote_pricing", &EnvConfig::quote_pricing,
                 "where a quote lies: on the tick grid around the mid, or at the floating-point mid minus (plus) "
                 "the offset in currency, as the thesis's code compares it with the levels"),
          choice("fill_price", &EnvConfig::fill_price, "price of a fill (`fill_model: cross`)"),
          choice("fill_model", &EnvConfig::fill_model,
                 "fills when the next row crosses the quote (the thesis), or from the message log's executions "
                 "behind a queue (LOBSTER data only)"),
          choice("queue_model", &EnvConfig::queue_model,
                 "`fill_model: trades`: only executions advance the queue ahead, or cancellations at the price "
                 "too, in proportion"),
          choice("book_crossing", &EnvConfig::book_crossing,
                 "`fill_model: trades`: a resting order that the next row's opposite best price reaches or passes "
                 "is not filled (only executions fill), or filled whole at its price, as a matching engine would"),
          choice("trade_through", &EnvConfig::trade_through,
                 "`fill_model: trades`: an execution at a worse price than the order's fills it up to the "
                 "executed size, or whole (the aggressor passed the order's price)"),
          choice("hidden_executions", &EnvConfig::hidden_executions,
                 "`fill_model: trades`: a hidden execution at the order's price changes nothing, or shows the "
                 "displayed queue exhausted (displayed orders execute first): nothing ahead, and it fills the order"),
          choice("queue_cap", &EnvConfig::queue_cap,
                 "`fill_model: trades`: the queue ahead moves by the queue model only, or is also capped at the "
                 "lots visible at the order's price after each step (cancellations anywhere in the level count)"),
          choice("level_fill_cap", &EnvConfig::level_fill_cap,
                 "most a level fills of a notional order (`size_unit: quote`, the liquidation with "
                 "`liquidation_size: notional_at_mid`): its size x price, or its size read as currency (the "
                 "thesis's code)"),
          number("maker_fee_bps", &EnvConfig::maker_fee_bps, fee, "fee on fills in basis points (negative = rebate)"),
          number("taker_fee_bps", &EnvConfig::taker_fee_bps, fee, "fee on liquidation in basis points"),
          number("inventory_limit", &EnvConfig::inventory_limit, Range::at_least(0),
                 "bound on the absolute position in base units (0 = none)"),
          choice("inventory_limit_mode", &EnvConfig::inventory_limit_mode,
                 "what happens to a quote that could breach it"),
          flag("liquidate_at_end", &EnvConfig::liquidate_at_end,
               "flatten against the book at a window's end (terminated) or not (truncated)"),
          choice("last_step", &EnvConfig::last_step,
                 "the last step of a window fills the agent's quote, then liquidates; or it discards the action "
                 "and only liquidates (the thesis's code)"),
          choice("liquidation_size", &EnvConfig::liquidation_size,
                 "the liquidation trades exactly the position (beyond the visible depth at the deepest price), "
                 "or an order for the position x the step's mid in currency over the visible depth, leaving the "
                 "rest in the position (the thesis's code)"),
          section("latency", &EnvConfig::latency, latency_keys()),
          section("reward", &EnvConfig::reward, reward_keys()),
          section("observation", &EnvConfig::observation, observation_keys()),
      },
      check_env};
  return table;
}

const Table<FillProbConfig>& fill_prob_keys() {
  static const Table<FillProbConfig> table{{
      choice("split", &FillProbConfig::split, "where episode windows are drawn"),
      number("episode_length", &FillProbConfig::episode_length, Range::at_least(1), "steps per episode"),
      number("cash_deal_limit", &FillProbConfig::cash_deal_limit, Range::above(0), "currency per trade"),
      number("cost", &FillProbConfig::cost, Range::any(), "currency subtracted from the reward per trade"),
      choice("hit_rule", &FillProbConfig::hit_rule,
             "which side the bucket k gives the hit probability k / 9: the ask (the notebook's code) or the bid "
             "(its prose)"),
      choice("same_side", &FillProbConfig::same_side,
             "a buy filled while long (a sell while short): nothing trades, or the volume adds to the position "
             "at the new entry price and the cost is charged (the notebook)"),
      choice("close_volume", &FillProbConfig::close_volume,
             "the volume a closing trade books PnL on: the volume held, or min(cash_deal_limit / price, depth) "
             "at the closing row (the notebook)"),
      choice("start", &FillProbConfig::start,
             "episodes start at a random window, or every one at the first row of the split's first range (the "
             "notebook's whole-file episodes; episode_length is capped to that range's rows - 1)"),
      choice("episode_end", &FillProbConfig::episode_end,
             "at the episode's end an open position is closed at the next row's opposite price (terminated), "
             "or left open with nothing booked (truncated: the notebook's end of data)"),
  }};
  return table;
}

const Table<SpreadConfig>& spread_keys() {
  static const Table<SpreadConfig> table{{
      choice("split", &SpreadConfig::split, "where episodes are played"),
      number("episode_length", &SpreadConfig::episode_length, Range::at_least(1),
             "steps per episode (capped to the rows the start rule leaves)"),
      choice("start", &SpreadConfig::start,
             "episodes start at a random window, or every one at the first row of the split's first range (the "
             "notebook's rewound data; an episode that reaches the range's end is terminated there)"),
      number("history", &SpreadConfig::history, Range::closed(1, 1000), "rows of prices and depths in the observation"),
      number("trading_fee", &SpreadConfig::trading_fee, Range::any(), "currency charged for every buy or sell action"),
      number("time_fee", &SpreadConfig::time_fee, Range::any(), "currency charged every step"),
      choice("prices", &SpreadConfig::prices,
             "observed prices: currency / price_scale (the notebook), or ticks from the latest row's mid"),
      number("price_scale", &SpreadConfig::price_scale, Range::above(0), "absolute prices: currency per unit"),
      number("depth_scale", &SpreadConfig::depth_scale, Range::above(0), "observed depths: base units per unit"),
  }};
  return table;
}

}  // namespace config

void validate(const SpreadConfig& spread) { check_keys(config::spread_keys(), spread, config::Checker("spread")); }

void validate(const EnvConfig& env) { check_keys(config::env_keys(), env, config::Checker("env")); }

void validate(const FillProbConfig& fill_prob) {
  check_keys(config::fill_prob_keys(), fill_prob, config::Checker("fill_prob"));
}

}  // namespace mmsim
