// The CUDA error macro and the device query, which must work without a GPU.

#include <gtest/gtest.h>

#include <string>

#include "check.cuh"
#include "mmsim/gpu/device.hpp"

namespace {

TEST(CudaCheck, SuccessDoesNotThrow) { EXPECT_NO_THROW(MMSIM_CUDA_CHECK(cudaSuccess)); }

TEST(CudaCheck, FailureThrowsWithTheErrorNameAndTheCall) {
  try {
    MMSIM_CUDA_CHECK(cudaErrorInvalidValue);
    FAIL() << "no exception";
  } catch (const mmsim::CudaError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("cudaErrorInvalidValue"), std::string::npos) << message;
    EXPECT_NE(message.find("test_cuda_errors.cu"), std::string::npos) << message;
  }
}

TEST(CudaCheck, IsAnMmsimError) { EXPECT_THROW(MMSIM_CUDA_CHECK(cudaErrorMemoryAllocation), mmsim::Error); }

TEST(CudaCheck, OnlyAnAllocationFailureIsOutOfMemory) {
  for (const cudaError_t status : {cudaErrorMemoryAllocation, cudaErrorInvalidValue}) {
    try {
      MMSIM_CUDA_CHECK(status);
      FAIL() << "no exception";
    } catch (const mmsim::CudaError& e) {
      EXPECT_EQ(e.out_of_memory(), status == cudaErrorMemoryAllocation) << e.what();
    }
  }
}

TEST(DeviceQuery, NeverThrowsAndExplainsAMissingDevice) {
  mmsim::gpu::DeviceStatus status;
  ASSERT_NO_THROW(status = mmsim::gpu::query_device());
  if (status.usable) {
    EXPECT_GT(status.count, 0);
    EXPECT_FALSE(status.name.empty());
  } else {
    EXPECT_FALSE(status.reason.empty());
  }
}

}  // namespace
