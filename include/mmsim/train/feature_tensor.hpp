#pragma once
// Feature tables as torch tensors (libtorch builds only).

#include <torch/types.h>

#include "mmsim/data/features.hpp"

namespace mmsim::train {

/// A float32 CPU tensor of shape [rows, columns] that views `table.values`
/// without copying. The table must outlive the tensor and not be resized.
torch::Tensor feature_tensor(const FeatureTable& table);

}  // namespace mmsim::train
