#pragma once
// Trainer settings: the config section `train` (docs/configuration.md,
// docs/training.md). Torch-free.

#include <cstdint>
#include <string>

#include "mmsim/config/enum_table.hpp"
#include "mmsim/config/schedule.hpp"

namespace mmsim::train {

/// The learning algorithm (docs/training.md); each has its factory in
/// src/train/algorithm.cpp.
enum class AlgorithmKind {
  a2c,  ///< the thesis's advantage actor-critic (seed 000 sections 2.4 and 2.6)
  ppo,  ///< proximal policy optimisation: clipped surrogate, GAE, minibatch epochs (`train.ppo`)
  dqn,  ///< deep Q-learning with a replay buffer and the Rainbow parts chosen in `train.dqn`
};

/// What the actor-critic learners' policy chooses (`train.policy`).
enum class PolicyKind {
  categorical,  ///< a row of the action table (env.actions), from the softmax of the policy head's logits
  gaussian,     ///< continuous quotes: a squashed Gaussian over (bid offset, ask offset) (`train.gaussian`)
};

/// The continuous quotes of `train.policy: gaussian` (docs/training.md,
/// "Continuous quotes"): each side's offset is offset_min + (offset_max -
/// offset_min) x sigmoid(u), u drawn from a Gaussian whose mean the policy
/// head gives and whose log standard deviation is a learnt parameter per side.
struct GaussianConfig {
  /// The open range of the learnt log standard deviation (a sigmoid of the
  /// network's parameter: it never leaves the range and keeps a gradient).
  static constexpr double kMinLogStd = -5;
  static constexpr double kMaxLogStd = 2;

  double offset_min = 0;        ///< env.offset_unit, >= 0 like the action table's offsets
  double offset_max = 4;        ///< env.offset_unit
  double size = 1;              ///< quote size of each side, env.size_unit
  double initial_log_std = 0;   ///< the log standard deviation of u at the start, in (kMinLogStd, kMaxLogStd)
};

/// The regression loss of DQN's temporal-difference error.
enum class DqnLoss { huber, mse };

enum class ClipKind { norm, value };

/// Widths of the actor-critic network's layers (`train.network`).
struct NetworkConfig {
  int shared = 256;         ///< width of the shared layer
  int policy_hidden = 128;  ///< width of the policy head's hidden layer
  int value_hidden = 64;    ///< width of the value head's hidden layer
};

/// PPO's own settings (`train.ppo`); PPO shares the network, gamma, the
/// learning rate and its decay, the gradient clip, epsilon and beta (the
/// entropy bonus) with A2C.
struct PpoConfig {
  double gae_lambda = 0.95;       ///< lambda of generalised advantage estimation (1: n-step returns)
  std::int64_t epochs = 4;        ///< passes over each rollout
  std::int64_t minibatches = 4;   ///< gradient steps per epoch, over a fresh shuffle of the rollout
  double clip_ratio = 0.2;        ///< the surrogate's probability-ratio clip
  double value_clip = 0;          ///< clip of the value's change from the rollout's; 0 = off
  double value_coef = 0.5;        ///< weight of the value loss
  bool normalize_advantages = true;  ///< per minibatch: zero mean, unit (population) deviation
};

/// DQN's own settings (`train.dqn`); DQN shares the network widths, gamma,
/// the learning rate with its decay, the gradient clip and epsilon (its
/// epsilon-greedy schedule) with the other learners.
struct DqnConfig {
  std::int64_t buffer_size = 20000;     ///< transitions the replay buffer holds (oldest replaced first)
  std::int64_t batch_size = 256;        ///< transitions per gradient step
  std::int64_t learning_starts = 1000;  ///< transitions in the buffer before the first gradient step
  std::int64_t gradient_steps = 1;      ///< gradient steps per rollout
  std::int64_t n_step = 1;              ///< rewards summed before bootstrapping (within a rollout)
  bool double_q = true;                 ///< the online network picks the next action, the target values it
  bool dueling = false;                 ///< Q = V + A - mean(A) from two heads
  bool target_network = true;           ///< false: bootstrap from the online network
  std::int64_t target_update_every = 250;  ///< gradient steps between target updates
  double target_tau = 1;                ///< target <- tau x online + (1 - tau) x target; 1 = a hard copy
  DqnLoss loss = DqnLoss::huber;        ///< Huber (delta 1) or squared TD error
  bool checkpoint_buffer = true;        ///< checkpoints hold the buffer (exact resume); false: it restarts empty
  bool prioritized = false;             ///< proportional prioritised replay with importance weights
  double priority_exponent = 0.6;       ///< alpha: sampling probability ~ priority^alpha
  double priority_epsilon = 1e-6;       ///< added to |TD error| for a priority
  /// beta of the importance weights (w ~ (N P)^-beta), annealed over frames.
  Schedule importance_exponent{Schedule::Kind::piecewise_linear, {0, 1000000}, {0.4, 1.0}};
};

struct TrainConfig {
  AlgorithmKind algorithm = AlgorithmKind::a2c;
  PolicyKind policy = PolicyKind::categorical;  ///< gaussian: A2C and PPO only
  std::int64_t num_envs = 16;        ///< N
  std::int64_t rollout_steps = 16;   ///< n: one update adds N x n frames
  std::int64_t total_frames = 1000000;
  double gamma = 0.999;
  double learning_rate = 3e-5;
  double learning_rate_decay = 1 - 1e-5;  ///< per update
  double min_learning_rate = 0;
  Schedule epsilon{Schedule::Kind::piecewise_linear, {0, 500000, 1000000}, {0.3, 0.03, 0.02}};
  Schedule beta{Schedule::Kind::step, {0, 500000, 1000000, 2000000, 3000000}, {0.01, 0.005, 0.001, 0.0001, 0}};
  ClipKind clip = ClipKind::norm;
  double clip_max = 0.1;
  NetworkConfig network;
  GaussianConfig gaussian;
  PpoConfig ppo;
  DqnConfig dqn;
  double log_every_seconds = 5;           ///< progress line interval
  std::int64_t metrics_every_updates = 10;  ///< metrics read (the only host sync) interval
  std::int64_t checkpoint_every_updates = 1000;
  std::int64_t eval_every_updates = 0;    ///< greedy evaluation on the validation split; 0 = off
  std::int64_t eval_windows = 32;         ///< windows per evaluation (one env each)
  std::int64_t eval_steps = 1000;         ///< steps per window (capped to the split)
  std::string run_dir = "runs";           ///< relative to the working directory
  std::string name = "run";               ///< runs/<name>/
};

/// Throws ConfigError naming the `train.*` key of an invalid value.
void validate(const TrainConfig& config);

/// The names config files give the algorithms (enum_table.hpp).
constexpr auto enum_names(AlgorithmKind) {
  return enum_table<AlgorithmKind>(
      {{AlgorithmKind::a2c, "a2c"}, {AlgorithmKind::ppo, "ppo"}, {AlgorithmKind::dqn, "dqn"}});
}

/// The names config files give the policies (enum_table.hpp).
constexpr auto enum_names(PolicyKind) {
  return enum_table<PolicyKind>({{PolicyKind::categorical, "categorical"}, {PolicyKind::gaussian, "gaussian"}});
}
inline const char* to_string(PolicyKind kind) { return enum_names(kind).name(kind); }

/// The names config files give DQN's losses (enum_table.hpp).
constexpr auto enum_names(DqnLoss) {
  return enum_table<DqnLoss>({{DqnLoss::huber, "huber"}, {DqnLoss::mse, "mse"}});
}
inline const char* to_string(DqnLoss loss) { return enum_names(loss).name(loss); }
inline const char* to_string(AlgorithmKind kind) { return enum_names(kind).name(kind); }

/// The names config files give the kinds of gradient clipping (enum_table.hpp).
constexpr auto enum_names(ClipKind) {
  return enum_table<ClipKind>({{ClipKind::norm, "norm"}, {ClipKind::value, "value"}});
}
inline const char* to_string(ClipKind kind) { return enum_names(kind).name(kind); }

}  // namespace mmsim::train
