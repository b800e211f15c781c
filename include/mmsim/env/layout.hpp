#pragma once
// The env's buffers, listed once for both backends: each backend allocates
// one block per entry (host or device) and binds the views to them.

#include <cstdint>
#include <vector>

#include "mmsim/env/batch_env.hpp"
#include "mmsim/env/state.hpp"

namespace mmsim {

/// Output buffers (names and shapes as in docs/mechanics.md), data = nullptr.
std::vector<BufferDesc> output_layout(std::int64_t num_envs, const StepParams& params);
/// State buffers, data = nullptr.
std::vector<BufferDesc> state_layout(std::int64_t num_envs, const StepParams& params);

/// Total bytes of a buffer.
std::int64_t buffer_bytes(const BufferDesc& desc);

/// Points the views at the buffers' data (matched by name; all must be present).
void bind_outputs(EnvOutputViews* views, const std::vector<BufferDesc>& buffers);
void bind_state(EnvState* state, const std::vector<BufferDesc>& buffers);

}  // namespace mmsim
