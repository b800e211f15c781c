#pragma once
// Faults found inside a step (docs/mechanics.md, "Faults"): the first of the
// batch is recorded, never repaired into a valid-looking value.

#include <cstdint>

#include "mmsim/core/hd.hpp"
#include "mmsim/env/state.hpp"

namespace mmsim {

/// Records a fault in `fault` [kFaultRecord] (env, step, kind): on the
/// device the first to arrive (atomically); on the host, where each thread
/// has its own record and takes its envs in any order, the lowest env's
/// (the threads' records are merged in env order).
MMSIM_HD inline void report_fault(std::int64_t* fault, std::int64_t env, std::int64_t step, FaultKind kind) {
#if defined(__CUDA_ARCH__)
  if (atomicCAS(reinterpret_cast<unsigned long long*>(fault), static_cast<unsigned long long>(-1),
                static_cast<unsigned long long>(env)) == static_cast<unsigned long long>(-1)) {
    fault[1] = step;
    fault[2] = static_cast<std::int64_t>(kind);
  }
#else
  if (fault[0] < 0 || env < fault[0]) {
    fault[0] = env;
    fault[1] = step;
    fault[2] = static_cast<std::int64_t>(kind);
  }
#endif
}

}  // namespace mmsim
