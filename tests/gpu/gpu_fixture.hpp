#pragma once
// Base fixture of every GPU test: skips (never passes) without a usable
// device, or fails when MMSIM_REQUIRE_GPU=1 says a device must be there
// (tools/gpu_check.sh), so that a broken CUDA runtime cannot pass as skips.

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "mmsim/gpu/device.hpp"

namespace mmsim::test {

class GpuTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const gpu::DeviceStatus status = gpu::query_device();
    if (status.usable) return;
    const char* required = std::getenv("MMSIM_REQUIRE_GPU");
    if (required != nullptr && std::string(required) == "1") {
      FAIL() << "MMSIM_REQUIRE_GPU=1 but no usable CUDA device: " << status.reason;
    }
    GTEST_SKIP() << "no usable CUDA device: " << status.reason;
  }
};

}  // namespace mmsim::test
