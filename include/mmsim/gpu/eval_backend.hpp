#pragma once
// The CUDA backend of the evaluation protocol (CUDA builds only). CUDA-free header.

#include "mmsim/core/stream.hpp"
#include "mmsim/eval/evaluation.hpp"

namespace mmsim::gpu {

/// Evaluation windows as a CUDA env batch on the current device: the envs
/// step on `stream`, and the outputs are copied to the host after every step
/// (waiting for the stream) for the policies and the metrics.
eval::EvalBackend cuda_eval_backend(StreamHandle stream = {});

}  // namespace mmsim::gpu
