// The key tables of the learning sections: train (with its schedules), lstm
// and baselines.

#include "config/sections.hpp"

namespace mmsim {
namespace config {
namespace {

/// A schedule's own rules, whatever its values mean.
void check_schedule(const train::Schedule& s, const Checker& checker) {
  const std::vector<std::string> both = {"frames", "values"};
  if (s.frames.empty()) checker.fail("", "a schedule needs at least one point", both);
  if (s.frames.size() != s.values.size()) {
    checker.fail("",
                 std::to_string(s.frames.size()) + " frames but " + std::to_string(s.values.size()) +
                     " values; give one value per frame",
                 both);
  }
  for (std::size_t k = 0; k < s.frames.size(); ++k) {
    if (!std::isfinite(s.frames[k]) || s.frames[k] < 0) {
      checker.fail("", "frame " + format_number(s.frames[k]) + " must be finite and >= 0", {"frames"});
    }
    if (k > 0 && !(s.frames[k] > s.frames[k - 1])) {
      checker.fail("",
                   "frames must increase strictly, got " + format_number(s.frames[k - 1]) + " then " +
                       format_number(s.frames[k]),
                   {"frames"});
    }
    if (!std::isfinite(s.values[k])) checker.fail("", "values must be finite", {"values"});
  }
}

/// A schedule of `what`, whose values lie in `values`.
Table<train::Schedule> schedule_keys(const std::string& what, Range values) {
  return {
      {
          choice("kind", &train::Schedule::kind, "interpolate between the points, or hold each value until the next"),
          list("frames", &train::Schedule::frames, "frame", "the points, in frames: strictly increasing, >= 0"),
          list("values", &train::Schedule::values, "value", what + " at each point", values),
      },
      check_schedule};
}

void check_train(const train::TrainConfig& t, const Checker& checker) {
  if (t.algorithm == train::AlgorithmKind::dqn && t.dqn.n_step > t.rollout_steps) {
    checker.fail("dqn.n_step",
                 "expected at most " + checker.key("rollout_steps") + " (" + std::to_string(t.rollout_steps) +
                     "): n-step returns are summed within a rollout, got " + std::to_string(t.dqn.n_step),
                 {"rollout_steps"});
  }
  if (t.algorithm == train::AlgorithmKind::ppo && t.ppo.minibatches > t.num_envs * t.rollout_steps) {
    checker.fail("ppo.minibatches",
                 "expected at most the frames of one update, " + checker.key("num_envs") + " x " +
                     checker.key("rollout_steps") + " = " + std::to_string(t.num_envs * t.rollout_steps) +
                     ", got " + std::to_string(t.ppo.minibatches),
                 {"num_envs", "rollout_steps"});
  }
  if (t.policy == train::PolicyKind::gaussian && t.algorithm == train::AlgorithmKind::dqn) {
    checker.fail("policy",
                 "expected categorical with " + checker.key("algorithm") +
                     " dqn (a Q-network values the rows of the action table); gaussian needs a2c or ppo",
                 {"algorithm"});
  }
  if (t.min_learning_rate > t.learning_rate) {
    checker.fail("min_learning_rate",
                 "expected a number <= " + checker.key("learning_rate") + " (" + format_number(t.learning_rate) +
                     "), got " +
                     format_number(t.min_learning_rate),
                 {"learning_rate"});
  }
}

bool plain_folder_name(const std::string& name) { return !name.empty() && name.find('/') == std::string::npos; }

const Table<train::TrainConfig>& clip_keys() {
  static const Table<train::TrainConfig> table{{
      choice("kind", &train::TrainConfig::clip, "gradient clipping by norm or by value"),
      number("max", &train::TrainConfig::clip_max, Range::above(0), "the norm or value bound"),
  }};
  return table;
}

const Table<train::NetworkConfig>& network_keys() {
  static const Table<train::NetworkConfig> table{{
      number("shared", &train::NetworkConfig::shared, Range::at_least(1), "width of the shared layer"),
      number("policy_hidden", &train::NetworkConfig::policy_hidden, Range::at_least(1),
             "width of the policy head's hidden layer"),
      number("value_hidden", &train::NetworkConfig::value_hidden, Range::at_least(1),
             "width of the value head's hidden layer"),
  }};
  return table;
}

void check_gaussian(const train::GaussianConfig& g, const Checker& checker) {
  if (!(g.offset_max > g.offset_min)) {
    checker.fail("offset_max",
                 "expected a number above " + checker.key("offset_min") + " (" + format_number(g.offset_min) +
                     "), got " + format_number(g.offset_max),
                 {"offset_min"});
  }
}

const Table<train::GaussianConfig>& gaussian_keys() {
  static const Table<train::GaussianConfig> table{
      {
          number("offset_min", &train::GaussianConfig::offset_min, Range::at_least(0),
                 "lowest offset of either side from the mid, in `env.offset_unit` (a negative one would quote "
                 "through the mid, as `env.actions` may not)"),
          number("offset_max", &train::GaussianConfig::offset_max, Range::any(),
                 "highest offset, above `offset_min`: offsets are offset_min + (offset_max - offset_min) x "
                 "sigmoid(u)"),
          number("size", &train::GaussianConfig::size, Range::above(0), "quote size of each side, in `env.size_unit`"),
          number("initial_log_std", &train::GaussianConfig::initial_log_std,
                 Range::open(train::GaussianConfig::kMinLogStd, train::GaussianConfig::kMaxLogStd),
                 "log standard deviation of u at the start; learnt from there, and kept in the same range"),
      },
      check_gaussian};
  return table;
}

const Table<train::PpoConfig>& ppo_keys() {
  static const Table<train::PpoConfig> table{{
      number("gae_lambda", &train::PpoConfig::gae_lambda, Range::closed(0, 1),
             "lambda of generalised advantage estimation (1: n-step returns, 0: one-step)"),
      number("epochs", &train::PpoConfig::epochs, Range::closed(1, 1000), "passes over each rollout"),
      number("minibatches", &train::PpoConfig::minibatches, Range::at_least(1),
             "gradient steps per epoch, each over a part of a fresh shuffle of the rollout; at most "
             "`train.num_envs` x `train.rollout_steps`"),
      number("clip_ratio", &train::PpoConfig::clip_ratio, Range::above(0),
             "the surrogate clips the probability ratio to [1 - clip_ratio, 1 + clip_ratio]"),
      number("value_clip", &train::PpoConfig::value_clip, Range::at_least(0),
             "the value loss also takes the value clipped to the rollout's value +- value_clip, whichever is "
             "larger; 0 = off"),
      number("value_coef", &train::PpoConfig::value_coef, Range::at_least(0), "weight of the value loss"),
      flag("normalize_advantages", &train::PpoConfig::normalize_advantages,
           "per minibatch: subtract the mean, divide by the population deviation + 1e-8"),
  }};
  return table;
}

void check_dqn(const train::DqnConfig& d, const Checker& checker) {
  const auto within_buffer = [&](const std::string& name, std::int64_t value) {
    if (value > d.buffer_size) {
      checker.fail(name,
                   "expected at most " + checker.key("buffer_size") + " (" + std::to_string(d.buffer_size) +
                       "), got " + std::to_string(value),
                   {"buffer_size"});
    }
  };
  within_buffer("batch_size", d.batch_size);
  within_buffer("learning_starts", d.learning_starts);
}

const Table<train::DqnConfig>& dqn_keys() {
  static const Table<train::Schedule> importance =
      schedule_keys("beta, the exponent of the importance weights", Range::closed(0, 1));
  static const Table<train::DqnConfig> table{
      {
          number("buffer_size", &train::DqnConfig::buffer_size, Range::closed(1, 1e9),
                 "transitions the replay buffer holds, the oldest replaced first (counted by the memory estimate)"),
          number("batch_size", &train::DqnConfig::batch_size, Range::at_least(1),
                 "transitions per gradient step, at most `buffer_size`"),
          number("learning_starts", &train::DqnConfig::learning_starts, Range::at_least(1),
                 "transitions in the buffer before the first gradient step, at most `buffer_size`"),
          number("gradient_steps", &train::DqnConfig::gradient_steps, Range::closed(1, 10000),
                 "gradient steps per rollout (a rollout adds N x n transitions)"),
          number("n_step", &train::DqnConfig::n_step, Range::at_least(1),
                 "rewards summed before bootstrapping, cut at episode ends and at the rollout's end; at most "
                 "`train.rollout_steps`"),
          flag("double_q", &train::DqnConfig::double_q,
               "the online network picks the next action, the target network values it"),
          flag("dueling", &train::DqnConfig::dueling,
               "Q = V + A - mean(A): a value head (`network.value_hidden`) and an advantage head"),
          flag("target_network", &train::DqnConfig::target_network,
               "bootstrap from a target network; false: from the online network"),
          number("target_update_every", &train::DqnConfig::target_update_every, Range::at_least(1),
                 "gradient steps between target-network updates"),
          number("target_tau", &train::DqnConfig::target_tau, Range::above_up_to(0, 1),
                 "target <- tau x online + (1 - tau) x target at each target update; 1 = a hard copy"),
          choice("loss", &train::DqnConfig::loss, "the loss of the TD error: Huber (delta 1) or squared"),
          flag("checkpoint_buffer", &train::DqnConfig::checkpoint_buffer,
               "checkpoints hold the replay buffer, so that a resume repeats the run exactly; false: smaller "
               "checkpoints, and a resumed run refills the buffer from empty"),
          flag("prioritized", &train::DqnConfig::prioritized,
               "proportional prioritised replay, with importance weights"),
          number("priority_exponent", &train::DqnConfig::priority_exponent, Range::closed(0, 1),
                 "alpha: a transition is sampled with probability ~ priority^alpha"),
          number("priority_epsilon", &train::DqnConfig::priority_epsilon, Range::above(0),
                 "a priority is |TD error| + priority_epsilon"),
          section("importance_exponent", &train::DqnConfig::importance_exponent, importance),
      },
      check_dqn};
  return table;
}

void check_lstm(const train::LstmConfig& l, const Checker& checker) {
  if (l.max_move_half_ticks % l.class_width_half_ticks != 0) {
    checker.fail("class_width_half_ticks",
                 "expected an integer that divides " + checker.key("max_move_half_ticks") + " (" +
                     std::to_string(l.max_move_half_ticks) + "), got " + std::to_string(l.class_width_half_ticks),
                 {"max_move_half_ticks"});
  }
}

const Table<eval::AsBaselineConfig>& as_keys() {
  static const Table<eval::AsBaselineConfig> table{{
      flag("enabled", &eval::AsBaselineConfig::enabled, "run the Avellaneda-Stoikov and GLFT baselines"),
      number("gamma", &eval::AsBaselineConfig::gamma, Range::above(0),
             "risk aversion, 1/currency (not the RL discount `train.gamma`)"),
      number("order_size", &eval::AsBaselineConfig::order_size, Range::at_least(0),
             "quote size per side in `env.size_unit`; 0 = the first action's bid size"),
      choice("quotes", &eval::AsBaselineConfig::quotes,
             "the model's prices on the tick grid, or the nearest row of the action table"),
      number("max_distance_ticks", &eval::AsBaselineConfig::max_distance_ticks, Range::closed(1, 1e6),
             "calibration: fill counts every half tick up to this distance"),
      number("min_fills", &eval::AsBaselineConfig::min_fills, Range::at_least(1),
             "calibration: distances with fewer fills are left out of the fit"),
  }};
  return table;
}

}  // namespace

const Table<train::TrainConfig>& train_keys() {
  static const Table<train::Schedule> epsilon =
      schedule_keys("epsilon, the weight of the uniform policy mixed into the sampling", Range::closed(0, 1));
  static const Table<train::Schedule> beta = schedule_keys("beta, the weight of the entropy bonus", Range::at_least(0));
  static const Table<train::TrainConfig> table{
      {
          choice("algorithm", &train::TrainConfig::algorithm, "the learning algorithm (docs/training.md)"),
          choice("policy", &train::TrainConfig::policy,
                 "the actor-critic's actions: rows of `env.actions`, or continuous quotes (`gaussian`; a2c and "
                 "ppo)"),
          number("num_envs", &train::TrainConfig::num_envs, Range::at_least(1), "N envs stepping together"),
          number("rollout_steps", &train::TrainConfig::rollout_steps, Range::at_least(1),
                 "n steps per rollout; an update adds N x n frames"),
          number("total_frames", &train::TrainConfig::total_frames, Range::at_least(1), "length of the run"),
          number("gamma", &train::TrainConfig::gamma, Range::above_up_to(0, 1), "discount"),
          number("learning_rate", &train::TrainConfig::learning_rate, Range::above(0), "Adam's initial learning rate"),
          number("learning_rate_decay", &train::TrainConfig::learning_rate_decay, Range::above_up_to(0, 1),
                 "factor per update"),
          number("min_learning_rate", &train::TrainConfig::min_learning_rate, Range::at_least(0),
                 "floor of the decay, at most `learning_rate`"),
          section("epsilon", &train::TrainConfig::epsilon, epsilon),
          section("beta", &train::TrainConfig::beta, beta),
          group("clip", clip_keys()),
          section("network", &train::TrainConfig::network, network_keys()),
          section("gaussian", &train::TrainConfig::gaussian, gaussian_keys()),
          section("ppo", &train::TrainConfig::ppo, ppo_keys()),
          section("dqn", &train::TrainConfig::dqn, dqn_keys()),
          number("log_every_seconds", &train::TrainConfig::log_every_seconds, Range::above(0),
                 "progress line interval"),
          number("metrics_every_updates", &train::TrainConfig::metrics_every_updates, Range::at_least(1),
                 "metrics read interval"),
          number("checkpoint_every_updates", &train::TrainConfig::checkpoint_every_updates, Range::at_least(1),
                 "checkpoint interval"),
          number("eval_every_updates", &train::TrainConfig::eval_every_updates, Range::at_least(0),
                 "greedy validation interval (0 = none)"),
          number("eval_windows", &train::TrainConfig::eval_windows, Range::at_least(1), "validation windows"),
          number("eval_steps", &train::TrainConfig::eval_steps, Range::at_least(1), "steps per validation window"),
          text("run_dir", &train::TrainConfig::run_dir, "a directory", "the run goes to `run_dir/name`"),
          text("name", &train::TrainConfig::name, "a folder name without '/'", "the run's folder in `run_dir`",
               plain_folder_name),
      },
      check_train};
  return table;
}

const Table<train::LstmConfig>& lstm_keys() {
  static const Table<train::LstmConfig> table{
      {
          number("hidden", &train::LstmConfig::hidden, Range::closed(1, 4096), "LSTM hidden units (one layer)"),
          number("max_move_half_ticks", &train::LstmConfig::max_move_half_ticks, Range::closed(1, 1000),
                 "R: moves are clipped to [-R, R] half-ticks"),
          number("class_width_half_ticks", &train::LstmConfig::class_width_half_ticks, Range::at_least(1),
                 "w, dividing R: class = round(clip(m, -R, R) / w) + R / w, halves away from zero; C = 2 R / w + 1"),
          number("sequence_length", &train::LstmConfig::sequence_length, Range::at_least(1),
                 "rows per truncated back-propagation chunk"),
          number("batch_size", &train::LstmConfig::batch_size, Range::at_least(1),
                 "contiguous streams of training rows stepping together"),
          number("epochs", &train::LstmConfig::epochs, Range::at_least(1), "most passes over the training rows"),
          number("patience", &train::LstmConfig::patience, Range::at_least(1),
                 "early stopping: epochs without a lower validation cross-entropy"),
          number("learning_rate", &train::LstmConfig::learning_rate, Range::above(0), "Adam"),
          number("clip_norm", &train::LstmConfig::clip_norm, Range::above(0), "gradient L2 norm bound per chunk"),
          number("walk_forward_blocks", &train::LstmConfig::walk_forward_blocks, Range::closed(2, 100),
                 "K blocks of training rows; block k's columns come from a model fitted on blocks < k"),
          number("fold_validation_fraction", &train::LstmConfig::fold_validation_fraction, Range::open(0, 1),
                 "tail of a fold's rows held out for its early stopping"),
          text("dir", &train::LstmConfig::dir, "a directory",
               "models and report; empty = `<train.run_dir>/lstm`; relative to the working directory"),
      },
      check_lstm};
  return table;
}

const Table<BaselinesConfig>& baselines_keys() {
  static const Table<BaselinesConfig> table{{section("as", &BaselinesConfig::as, as_keys())}};
  return table;
}

}  // namespace config

namespace train {

void validate(const Schedule& schedule, const std::string& key) {
  config::check_schedule(schedule, config::Checker(key));
}

void validate(const TrainConfig& train) { check_keys(config::train_keys(), train, config::Checker("train")); }

void validate(const LstmConfig& lstm) { check_keys(config::lstm_keys(), lstm, config::Checker("lstm")); }

}  // namespace train
}  // namespace mmsim
