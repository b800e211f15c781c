#include "mmsim/train/gaussian.hpp"

#include <torch/torch.h>

#include <cmath>

#include "mmsim/core/error.hpp"

namespace mmsim::train {

torch::Tensor standard_normals(const torch::Tensor& uniforms) {
  MMSIM_ASSERT(uniforms.dim() == 2 && uniforms.size(1) == kQuoteDims, "standard_normals: uniforms [B, 2]");
  const torch::Tensor u = uniforms.to(torch::kFloat64);
  // 1 - u0 lies in (0, 1]: the logarithm is finite.
  const torch::Tensor radius = (-2.0 * torch::log1p(-u.select(1, 0))).sqrt();
  const torch::Tensor angle = (2.0 * M_PI) * u.select(1, 1);
  return torch::stack({radius * angle.cos(), radius * angle.sin()}, 1);
}

torch::Tensor bounded_log_std(const torch::Tensor& raw) {
  constexpr double low = GaussianConfig::kMinLogStd, high = GaussianConfig::kMaxLogStd;
  return low + (high - low) * torch::sigmoid(raw);
}

double raw_log_std(double log_std) {
  constexpr double low = GaussianConfig::kMinLogStd, high = GaussianConfig::kMaxLogStd;
  const double share = (log_std - low) / (high - low);
  MMSIM_ASSERT(share > 0 && share < 1, "raw_log_std of a value outside the range");
  return std::log(share / (1 - share));
}

torch::Tensor sample_unsquashed(const torch::Tensor& means, const torch::Tensor& log_std,
                                const torch::Tensor& uniforms) {
  const torch::Tensor normals = standard_normals(uniforms.to(means.device())).to(means.scalar_type());
  return means + log_std.exp() * normals;
}

torch::Tensor squash_offsets(const torch::Tensor& u, const GaussianConfig& config) {
  return config.offset_min + (config.offset_max - config.offset_min) * torch::sigmoid(u);
}

torch::Tensor squashed_log_probs(const torch::Tensor& u, const torch::Tensor& means, const torch::Tensor& log_std,
                                 const GaussianConfig& config) {
  MMSIM_ASSERT(u.dim() == 2 && u.size(1) == kQuoteDims && means.sizes() == u.sizes() && log_std.dim() == 1 &&
                   log_std.size(0) == kQuoteDims,
               "squashed_log_probs: u and means [B, 2], log_std [2]");
  const torch::Tensor z = (u - means) * torch::exp(-log_std);
  const torch::Tensor gaussian = -0.5 * z.pow(2) - log_std - 0.5 * std::log(2.0 * M_PI);
  // log sigmoid(u) + log sigmoid(-u) stays finite where the sigmoid saturates.
  const torch::Tensor jacobian = std::log(config.offset_max - config.offset_min) + torch::log_sigmoid(u) +
                                 torch::log_sigmoid(-u);
  return (gaussian - jacobian).sum(1);
}

torch::Tensor gaussian_entropy(const torch::Tensor& log_std) {
  return (log_std + 0.5 * std::log(2.0 * M_PI * M_E)).sum();
}

torch::Tensor quote_rows(const torch::Tensor& offsets, const GaussianConfig& config) {
  MMSIM_ASSERT(offsets.dim() == 2 && offsets.size(1) == kQuoteDims, "quote_rows: offsets [B, 2]");
  const torch::Tensor sizes = torch::full_like(offsets, config.size, offsets.options().dtype(torch::kFloat64));
  return torch::cat({offsets.to(torch::kFloat64), sizes}, 1).contiguous();
}

}  // namespace mmsim::train
