#pragma once
// A trained algorithm as a policy of the evaluation protocol
// (mmsim/eval/evaluation.hpp): `mmsim eval`'s agents and training's
// validation decide through the same class.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mmsim/config/config.hpp"
#include "mmsim/env/batch_env.hpp"
#include "mmsim/eval/evaluation.hpp"
#include "mmsim/train/algorithm.hpp"
#include "mmsim/train/run.hpp"

namespace mmsim::train {

/// `algorithm` as an evaluation policy: greedy (its logits' argmax; a
/// continuous policy's quotes at the mean of u) or sampled (from its logits'
/// softmax; a continuous policy's distribution) with the counter-based RNG:
/// uniform number i x uniforms_per_env() + j of (seed, episode 0, step,
/// RngPurpose::agent_sampling) is env i's j-th draw; named "<name> (greedy)" or
/// "<name> (sampled)". The networks may live on any device: observations go
/// there and actions come back to the host. `algorithm` must outlive the
/// policy (training's validation evaluates the trainer's current algorithm).
std::unique_ptr<eval::Policy> agent_policy(Algorithm& algorithm, bool greedy, std::uint64_t seed,
                                           const std::string& name = "agent");
/// The same policy owning its `algorithm` (a checkpoint loaded for `mmsim eval`).
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
