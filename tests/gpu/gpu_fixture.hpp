#pragma once
// Base fixture of every GPU test: skips (never passes) without a usable device.

#include <gtest/gtest.h>

#include "mmsim/gpu/device.hpp"

namespace mmsim::test {

class GpuTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const gpu::DeviceStatus status = gpu::query_device();
    if (!status.usable) GTEST_SKIP() << "no usable CUDA device: " << status.reason;
  }
};

}  // namespace mmsim::test
