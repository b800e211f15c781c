#pragma once
// Counter-based random numbers (Random123 Philox-4x32-10): every draw is a
// pure function of (seed, env id, episode, step, purpose), so the CPU and the
// GPU draw the same numbers in any execution order (docs/architecture.md, principle 3).

#include <Random123/philox.h>

#include <cstdint>

#include "mmsim/core/hd.hpp"

namespace mmsim {

/// What a draw is for; distinct purposes never share a counter.
enum class RngPurpose : std::uint32_t {
  episode_start = 1,  ///< where a new episode's window starts
  fill = 2,           ///< fill draws of probabilistic fill models
  action = 3,         ///< action sampling by a policy
  latency = 4,        ///< order latency draws
  random_policy = 5,  ///< the evaluation's uniformly random policy
  agent_sampling = 6, ///< an agent evaluated with sampled (not greedy) actions
  bootstrap = 7,      ///< resampling of the paired bootstrap interval
  minibatch = 8,      ///< the order of a rollout's samples in an epoch of minibatches (PPO)
  replay = 9,         ///< the transitions a gradient step samples from a replay buffer (DQN)
};

/// Four 32-bit uniform integers for the given coordinates.
MMSIM_HD inline r123::Philox4x32::ctr_type philox_draw(std::uint64_t seed, std::uint64_t stream, std::uint64_t episode,
                                                        std::uint32_t step, RngPurpose purpose) {
  r123::Philox4x32 generator;
  const r123::Philox4x32::key_type key = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  // The stream (env id) and episode share 64 bits: 32 bits each.
  const r123::Philox4x32::ctr_type counter = {{static_cast<std::uint32_t>(stream),
                                              static_cast<std::uint32_t>(episode), step,
                                              static_cast<std::uint32_t>(purpose)}};
  return generator(counter, key);
}

/// Uniform double in [0, 1) with 53 random bits, from words 0 and 1 of a draw.
MMSIM_HD inline double uniform01_of(const r123::Philox4x32::ctr_type& r) {
  const std::uint64_t bits = (static_cast<std::uint64_t>(r.v[0]) << 21) ^ (static_cast<std::uint64_t>(r.v[1]) >> 11);
  return static_cast<double>(bits & ((std::uint64_t{1} << 53) - 1)) * (1.0 / 9007199254740992.0);
}

/// Uniform integer in [0, n) for 1 <= n < 2^32 from words 2 and 3 of a draw
/// (multiply-shift of 64 random bits: bias below 2^-32), independent of uniform01_of's.
MMSIM_HD inline std::uint64_t uniform_index_of(const r123::Philox4x32::ctr_type& r, std::uint64_t n) {
  const std::uint64_t bits = (static_cast<std::uint64_t>(r.v[2]) << 32) | r.v[3];
  // High 64 bits of bits * n.
  const std::uint64_t lo = (bits & 0xffffffffULL) * n;
  const std::uint64_t hi = (bits >> 32) * n + (lo >> 32);
  return hi >> 32;
}

/// Uniform double in [0, 1) with 53 random bits.
MMSIM_HD inline double uniform01(std::uint64_t seed, std::uint64_t stream, std::uint64_t episode, std::uint32_t step,
                                 RngPurpose purpose) {
  return uniform01_of(philox_draw(seed, stream, episode, step, purpose));
}

/// Uniform integer in [0, n) for 1 <= n < 2^32.
MMSIM_HD inline std::uint64_t uniform_index(std::uint64_t seed, std::uint64_t stream, std::uint64_t episode,
                                            std::uint32_t step, RngPurpose purpose, std::uint64_t n) {
  return uniform_index_of(philox_draw(seed, stream, episode, step, purpose), n);
}

}  // namespace mmsim
