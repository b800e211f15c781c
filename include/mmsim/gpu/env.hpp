#pragma once
// The CUDA backend of BatchEnv (CUDA builds only). CUDA-free header.

#include <cstdint>
#include <memory>

#include "mmsim/core/stream.hpp"
#include "mmsim/env/batch_env.hpp"
#include "mmsim/env/fill_prob_env.hpp"
#include "mmsim/env/spread_env.hpp"

namespace mmsim::gpu {

/// Uploads the book, the feature table and the split ranges to the current
/// device and allocates every buffer; then reset() on `stream`. step() only
/// enqueues kernels on the stream it is given: one thread per env for the
/// mechanics, one thread per observation element for the stacked observations.
/// Device memory is allocated and freed in the order of `stream`, which must
/// outlive the env. Throws CudaError when no device is usable.
std::unique_ptr<BatchEnv> make_cuda_env(const EnvData& data, const EnvConfig& config, std::int64_t num_envs,
                                        std::uint64_t seed, StreamHandle stream = {});

/// The CUDA backend of the fill-probability env (needs no feature table).
std::unique_ptr<FillProbEnv> make_fill_prob_cuda_env(const EnvData& data, const FillProbConfig& config,
                                                     std::int64_t num_envs, std::uint64_t seed,
                                                     StreamHandle stream = {});

/// The CUDA backend of the spread-trading env (needs no feature table).
std::unique_ptr<SpreadEnv> make_spread_cuda_env(const EnvData& data, const SpreadConfig& config, std::int64_t num_envs,
                                                std::uint64_t seed, StreamHandle stream = {});

}  // namespace mmsim::gpu
