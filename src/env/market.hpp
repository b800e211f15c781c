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

/// Logs once per process that the episode length was capped to fit the split.
void log_length_cap(const StepParams& params, const EnvConfig& config);

}  // namespace mmsim::detail
