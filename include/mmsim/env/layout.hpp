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

/// The data pointer of the buffer named `name` (asserts it exists and is allocated).
void* find_buffer(const std::vector<BufferDesc>& buffers, const char* name);

/// Sets `*pointer` to the named buffer's data.
template <class T>
void bind_buffer(T** pointer, const std::vector<BufferDesc>& buffers, const char* name) {
  *pointer = static_cast<T*>(find_buffer(buffers, name));
}

/// Total bytes of a set of buffers.
std::int64_t total_bytes(const std::vector<BufferDesc>& buffers);

/// Points the views at the buffers' data (matched by name; all must be present).
void bind_outputs(EnvOutputViews* views, const std::vector<BufferDesc>& buffers);
void bind_state(EnvState* state, const std::vector<BufferDesc>& buffers);

}  // namespace mmsim
