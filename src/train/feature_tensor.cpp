#include "mmsim/train/feature_tensor.hpp"

namespace mmsim::train {

torch::Tensor feature_tensor(const FeatureTable& table) {
  // from_blob never frees: ownership stays with the table.
  return torch::from_blob(const_cast<float*>(table.values.data()), {table.rows, table.columns()},
                          torch::TensorOptions().dtype(torch::kFloat32));
}

}  // namespace mmsim::train
