#pragma once
// Every buffer of an env declared once, in one field table per buffer set
// (the market-making env's outputs and state; the fill-probability env's):
// its name, the view member that points to it, its element type (deduced
// from the member) and its shape for N envs. The tables drive allocation,
// binding the views, the described layout (describe_outputs), save_state /
// load_state and the parity tests.

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "mmsim/core/error.hpp"
#include "mmsim/env/batch_env.hpp"
#include "mmsim/env/state.hpp"

namespace mmsim {

using Shape = std::vector<std::int64_t>;

/// The DType of a buffer of T elements; a compile error for a type without one.
template <class T>
constexpr DType dtype_of() {
  if constexpr (std::is_same_v<T, float>) {
    return DType::float32;
  } else if constexpr (std::is_same_v<T, double>) {
    return DType::float64;
  } else if constexpr (std::is_same_v<T, std::int32_t>) {
    return DType::int32;
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    return DType::int64;
  } else if constexpr (std::is_same_v<T, std::uint64_t>) {
    return DType::uint64;
  } else {
    static_assert(std::is_same_v<T, std::uint8_t>, "no DType for this element type");
    return DType::uint8;
  }
}

/// One buffer of a buffer set. `Views` is the struct of element pointers the
/// step core reads (e.g. EnvOutputViews), `Params` what the shapes depend on.
template <class Views, class Params>
struct BufferField {
  const char* name;  ///< as in docs/mechanics.md
  DType dtype;       ///< of the member's elements
  /// Its shape for `num_envs` envs: [num_envs, ...] for per-env buffers.
  Shape (*shape)(std::int64_t num_envs, const Params& params);
  /// Points the member of `views` at `data`.
  void (*bind)(Views* views, void* data);
};

template <class Views, class Params>
using FieldTable = std::vector<BufferField<Views, Params>>;

namespace detail {
template <class Member>
struct ViewMember;
template <class V, class T>
struct ViewMember<T* V::*> {
  using Views = V;
  using Element = T;
};
}  // namespace detail

/// The field of the buffer that `Member` (a `T* Views::*`) points to, named
/// `name`, of dtype_of<T>() and the shape `shape` gives.
template <auto Member, class Params>
BufferField<typename detail::ViewMember<decltype(Member)>::Views, Params> buffer_field(
    const char* name, Shape (*shape)(std::int64_t, const Params&)) {
  using Views = typename detail::ViewMember<decltype(Member)>::Views;
  using Element = typename detail::ViewMember<decltype(Member)>::Element;
  return {name, dtype_of<Element>(), shape,
          [](Views* views, void* data) { views->*Member = static_cast<Element*>(data); }};
}

/// The buffers of `fields` for `num_envs` envs, in table order; data = nullptr.
template <class Views, class Params>
std::vector<BufferDesc> describe_buffers(const FieldTable<Views, Params>& fields, std::int64_t num_envs,
                                         const Params& params) {
  std::vector<BufferDesc> buffers;
  for (const auto& field : fields) {
    BufferDesc desc;
    desc.name = field.name;
    desc.dtype = field.dtype;
    desc.shape = field.shape(num_envs, params);
    buffers.push_back(std::move(desc));
  }
  return buffers;
}

/// Points every member of `views` at its buffer's data; `buffers` were
/// described from `fields`.
template <class Views, class Params>
void bind_buffers(const FieldTable<Views, Params>& fields, const std::vector<BufferDesc>& buffers, Views* views) {
  MMSIM_ASSERT(fields.size() == buffers.size(), "buffers described from another table");
  for (std::size_t k = 0; k < fields.size(); ++k) {
    MMSIM_ASSERT(buffers[k].name == fields[k].name && buffers[k].data != nullptr,
                 std::string("buffer not allocated: ") + fields[k].name);
    fields[k].bind(views, buffers[k].data);
  }
}

/// The market-making env's outputs, in the order of docs/mechanics.md, "Outputs".
const FieldTable<EnvOutputViews, StepParams>& output_fields();
/// The market-making env's state (docs/mechanics.md, "State").
const FieldTable<EnvState, StepParams>& state_fields();

/// The output and state buffers of `num_envs` envs, data = nullptr.
std::vector<BufferDesc> output_layout(std::int64_t num_envs, const StepParams& params);
std::vector<BufferDesc> state_layout(std::int64_t num_envs, const StepParams& params);

/// Total bytes of a buffer.
std::int64_t buffer_bytes(const BufferDesc& desc);

/// Total bytes of a set of buffers.
std::int64_t total_bytes(const std::vector<BufferDesc>& buffers);

}  // namespace mmsim
