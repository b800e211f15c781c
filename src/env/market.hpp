#pragma once
// Host-side helpers shared by the env backends.

#include <cstdint>
#include <vector>

#include "mmsim/env/batch_env.hpp"

namespace mmsim::detail {

/// Begin and end rows of the episode split's ranges.
struct RangeColumns {
  std::vector<std::int64_t> begin, end;
  std::int64_t longest = 0;
};

RangeColumns range_columns(const Split& split);

/// A view of the book and feature table in host memory.
MarketView host_market(const EnvData& data);

/// Keeps the first fault until it is checked: when `fault` [3] is clear,
/// takes the lowest env among the threads' faults of this step.
void merge_thread_faults(const std::vector<std::int64_t>& thread_faults, std::int64_t* fault);

/// Clears `fault` [3] and throws if it held one (check_faults on the host).
void take_fault(std::int64_t* fault);

/// Throws Error unless a saved env state has the expected size.
void check_state_size(std::size_t got, std::size_t expected);

/// Logs once per process that the episode length was capped to fit the split.
void log_length_cap(const StepParams& params, const EnvConfig& config);

}  // namespace mmsim::detail
