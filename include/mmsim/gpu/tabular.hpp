#pragma once
// The CUDA backend of the tabular learners (CUDA builds only). CUDA-free header.

#include <memory>

#include "mmsim/core/stream.hpp"
#include "mmsim/train/tabular.hpp"

namespace mmsim::gpu {

/// The learners' tables, envs and curves in the current device's memory,
/// one thread per learner; run() enqueues one kernel on `stream` in which
/// every thread takes all its steps.
std::unique_ptr<TabularBatch> make_tabular_cuda_batch(const TabularBatchSpec& spec, StreamHandle stream = {});

}  // namespace mmsim::gpu
