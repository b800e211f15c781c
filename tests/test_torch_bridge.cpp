// Feature tables viewed as torch tensors.

#include <gtest/gtest.h>

#include "mmsim/train/feature_tensor.hpp"

namespace mmsim::test {
namespace {

FeatureTable small_table() {
  FeatureTable table;
  table.names = {"a", "b", "c"};
  table.rows = 2;
  table.values = {1.f, 2.f, 3.f, 4.f, 5.f, 6.f};
  return table;
}

TEST(FeatureTensor, ViewsTheTableWithoutCopying) {
  const FeatureTable table = small_table();
  const torch::Tensor tensor = train::feature_tensor(table);
  EXPECT_EQ(tensor.dim(), 2);
  EXPECT_EQ(tensor.size(0), 2);
  EXPECT_EQ(tensor.size(1), 3);
  EXPECT_EQ(tensor.scalar_type(), torch::kFloat32);
  EXPECT_EQ(tensor.data_ptr<float>(), table.values.data());
  EXPECT_FLOAT_EQ(tensor[1][2].item<float>(), 6.f);
  EXPECT_FLOAT_EQ(tensor.sum().item<float>(), 21.f);
}

TEST(FeatureTensor, SeesChangesOfTheTable) {
  FeatureTable table = small_table();
  const torch::Tensor tensor = train::feature_tensor(table);
  table.values[4] = -5.f;
  EXPECT_FLOAT_EQ(tensor[1][1].item<float>(), -5.f);
}

}  // namespace
}  // namespace mmsim::test
