// The LSTM forecaster on the GPU (cuDNN): its forecast equals the CPU's to
// float tolerance, and fitting on the device learns.

#include <gtest/gtest.h>

#include <cmath>

#include "gpu_fixture.hpp"
#include "mmsim/train/lstm_fit.hpp"
#include "mmsim/train/lstm_scores.hpp"
#include "test_util.hpp"
#include "tolerances.hpp"

namespace mmsim::test {
namespace {

class LstmGpu : public GpuTest {};

TEST_F(LstmGpu, ForecastOnTheDeviceMatchesTheCpu) {
  const GoogSample& s = goog_sample();
  const train::LstmData data = train::make_lstm_data(s.loaded.book, s.table, s.splits);
  train::LstmConfig config;
  config.hidden = 32;
  torch::manual_seed(3);
  train::LstmNet net(data.columns(), config.hidden, train::lstm_class_count(config));
  const torch::Tensor on_cpu = train::lstm_forecast(net, data, torch::kCPU);
  const torch::Tensor on_gpu = train::lstm_forecast(net, data, torch::kCUDA);
  ASSERT_EQ(on_cpu.sizes(), on_gpu.sizes());
  EXPECT_TRUE(on_gpu.device().is_cpu());
  EXPECT_TRUE(torch::allclose(on_cpu, on_gpu, kCrossDeviceFloat32Relative, kCrossDeviceFloat32Absolute))
      << "largest difference " << (on_cpu - on_gpu).abs().max().item<double>();
}

TEST_F(LstmGpu, FittingOnTheDeviceBeatsTheUniformForecast) {
  const GoogSample& s = goog_sample();
  const train::LstmData data = train::make_lstm_data(s.loaded.book, s.table, s.splits);
  train::LstmConfig config;
  config.hidden = 16;
  config.epochs = 3;
  const train::LstmFit fit =
      train::fit_lstm(data, s.splits.train.ranges, s.splits.validation.ranges, config, 4, torch::kCUDA);
  ASSERT_FALSE(fit.epochs.empty());
  const torch::Tensor forecast = train::lstm_forecast(fit.net, data, torch::kCUDA);
  const train::LstmScores scores = train::score_forecast(forecast, data, s.splits.validation.ranges, config);
  EXPECT_GT(scores.rows, 1000);
  // Uniform probabilities score log(C) nats.
  EXPECT_LT(scores.cross_entropy, std::log(static_cast<double>(train::lstm_class_count(config))));
}

}  // namespace
}  // namespace mmsim::test
