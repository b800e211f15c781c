#pragma once
// Continuous quotes (`train.policy: gaussian`; docs/training.md, "Continuous
// quotes"): each env's action is u = (u_bid, u_ask), drawn from a Gaussian
// with the policy head's means and a learnt log standard deviation per side,
// squashed into the configured offset range. The env receives the offsets in
// env.offset_unit (BatchEnv::step_offsets), converted to ticks where the
// action table's rows are. Everything works on tensors of any device.

#include <torch/types.h>

#include <cstdint>

#include "mmsim/config/train_config.hpp"

namespace mmsim::train {

/// The dimensions of a continuous action: bid offset, ask offset.
inline constexpr std::int64_t kQuoteDims = 2;

/// The log standard deviation [2] of the network's parameter `raw` [2]:
/// kMinLogStd + (kMaxLogStd - kMinLogStd) x sigmoid(raw) (GaussianConfig),
/// in the open range with a gradient everywhere.
torch::Tensor bounded_log_std(const torch::Tensor& raw);
/// The parameter whose bounded_log_std is `log_std` (inside the range).
double raw_log_std(double log_std);

/// Standard normals [B, 2] from uniforms [B, 2] in [0, 1) (Box-Muller, float64):
/// r = sqrt(-2 log(1 - u0)), z = (r cos(2 pi u1), r sin(2 pi u1)).
torch::Tensor standard_normals(const torch::Tensor& uniforms);

/// Unsquashed actions u [B, 2] drawn with `uniforms` [B, 2]: means [B, 2] +
/// exp(log_std [2]) x standard_normals(uniforms), in the means' dtype.
/// Here and below, log_std is the bounded one (bounded_log_std).
torch::Tensor sample_unsquashed(const torch::Tensor& means, const torch::Tensor& log_std,
                                const torch::Tensor& uniforms);

/// The offsets of unsquashed actions `u` [B, 2]: offset_min + (offset_max -
/// offset_min) x sigmoid(u), in env.offset_unit.
torch::Tensor squash_offsets(const torch::Tensor& u, const GaussianConfig& config);

/// The log-density [B] of the squashed offsets of `u` [B, 2] when u ~ N(means
/// [B, 2], exp(log_std [2])^2) per side: sum over the sides of log N(u) -
/// log(d offset / d u), with d offset / d u = (offset_max - offset_min) x
/// sigmoid(u) x sigmoid(-u). Differentiable in `means` and `log_std`.
torch::Tensor squashed_log_probs(const torch::Tensor& u, const torch::Tensor& means, const torch::Tensor& log_std,
                                 const GaussianConfig& config);

/// The entropy of the unsquashed Gaussian: sum over the sides of log_std +
/// 0.5 x log(2 pi e) (a scalar; the entropy bonus of continuous quotes).
torch::Tensor gaussian_entropy(const torch::Tensor& log_std);

/// Rows of ActionRow [B, 4] float64 (bid offset, ask offset, bid size, ask
/// size) for BatchEnv::step_offsets, from `offsets` [B, 2] and config.size.
torch::Tensor quote_rows(const torch::Tensor& offsets, const GaussianConfig& config);

}  // namespace mmsim::train
