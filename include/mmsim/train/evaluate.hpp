#pragma once
// Policy evaluation over fixed windows: every env of a freshly reset batch
// plays one episode of the same length, and its final PnL is one sample.

#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mmsim/config/config.hpp"
#include "mmsim/env/batch_env.hpp"
#include "mmsim/eval/evaluation.hpp"
#include "mmsim/train/algorithm.hpp"
#include "mmsim/train/run.hpp"

namespace mmsim::train {

struct EvalResult {
  std::vector<double> pnl;  ///< final PnL per window (after liquidation and fees)
  double mean = 0;
  double stddev = 0;        ///< population standard deviation
};

/// Picks int32 actions [N] for observations [N, obs] at a step of the episode.
using ActionFn = std::function<torch::Tensor(const torch::Tensor& observations, std::int64_t step)>;

/// Resets `env` (CPU backend), plays one episode per env with `act` and
/// returns the final PnLs. The env's episodes must have a fixed length
/// (no curriculum): every env then ends at the same step.
EvalResult evaluate(BatchEnv& env, const ActionFn& act);

/// The algorithm's most probable action (its logits' argmax). `algorithm`
/// must outlive the function.
ActionFn greedy_policy(Algorithm& algorithm);
/// Uniformly random actions from the counter-based RNG (purpose evaluation).
ActionFn random_policy(std::uint64_t seed, std::int64_t actions);

/// A trained algorithm as an evaluation policy: greedy (most probable
/// action) or sampled from its logits' softmax with the counter-based RNG,
/// named "<name> (greedy)" or "<name> (sampled)".
std::unique_ptr<eval::Policy> agent_policy(std::unique_ptr<Algorithm> algorithm, bool greedy, std::uint64_t seed,
                                           const std::string& name = "agent");

/// The trained `agents` (agent_checkpoints) as evaluation policies for envs
/// with `params`, greedy or sampled (agent_policy, with `config`'s seed),
/// each loaded as `config`'s algorithm (load_agent). Throws Error for a
/// missing or mismatched checkpoint.
std::vector<std::unique_ptr<eval::Policy>> agent_policies(const std::vector<AgentCheckpoint>& agents,
                                                          const Config& config, const StepParams& params,
                                                          bool greedy);

}  // namespace mmsim::train
