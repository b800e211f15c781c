#pragma once
// Non-owning views over contiguous memory on the host or the device.

#include <cstdint>

#include "mmsim/core/hd.hpp"

namespace mmsim {

/// A 1-D view of `size` elements. Does not own its memory.
template <class T>
struct View {
  T* data = nullptr;
  std::int64_t size = 0;

  MMSIM_HD T& operator[](std::int64_t i) const { return data[i]; }
};

/// A row-major 2-D view of shape [rows, cols]. Does not own its memory.
template <class T>
struct View2D {
  T* data = nullptr;
  std::int64_t rows = 0;
  std::int64_t cols = 0;

  MMSIM_HD T& operator()(std::int64_t row, std::int64_t col) const { return data[row * cols + col]; }
  MMSIM_HD T* row(std::int64_t r) const { return data + r * cols; }
};

}  // namespace mmsim
