// The evaluation protocol on the CUDA backend against the CPU reference: the
// same windows and policies give the same per-window results (the env's
// outputs agree to the env parity tests' tolerance), under both fill models
// and with latency, for action-table and explicit-quote policies.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "gpu_fixture.hpp"
#include "mmsim/config/config.hpp"
#include "mmsim/eval/evaluation.hpp"
#include "mmsim/gpu/eval_backend.hpp"
#include "test_util.hpp"
#include "tolerances.hpp"

namespace mmsim::test {
namespace {

class EvalGpu : public GpuTest {};

/// Quotes explicitly, offsets cycling with the step and skewed by the position.
class CyclingQuotes final : public eval::Policy {
 public:
  std::string name() const override { return "cycling quotes"; }
  bool quotes_explicitly() const override { return true; }
  void decide(const eval::PolicyInput& input, const eval::Decision& decision) override {
    for (std::int64_t i = 0; i < input.n; ++i) {
      const double skew = input.position[i] / 100.0;
      const double base = 1.0 + static_cast<double>((input.step + i) % 7);
      decision.quotes[i] = ActionRow{base + skew, base - skew, 100, 100};
    }
  }
};

void expect_same_results(const eval::PolicyResult& cpu, const eval::PolicyResult& gpu) {
  SCOPED_TRACE(cpu.name);
  const auto same = [](const std::vector<double>& a, const std::vector<double>& b, const char* what) {
    ASSERT_EQ(a.size(), b.size()) << what;
    for (std::size_t k = 0; k < a.size(); ++k) {
      EXPECT_NEAR(a[k], b[k], kBackendSumTolerance * std::max(1.0, std::fabs(a[k]))) << what << " of window " << k;
    }
  };
  same(cpu.pnl, gpu.pnl, "pnl");
  same(cpu.pnl_mark, gpu.pnl_mark, "pnl_mark");
  same(cpu.fills, gpu.fills, "fills");
  same(cpu.volume, gpu.volume, "volume");
  same(cpu.spread_capture, gpu.spread_capture, "spread_capture");
  same(cpu.inventory_pnl, gpu.inventory_pnl, "inventory_pnl");
  same(cpu.fees, gpu.fees, "fees");
  same(cpu.liquidation, gpu.liquidation, "liquidation");
  same(cpu.mean_reward, gpu.mean_reward, "mean_reward");
}

TEST_F(EvalGpu, WindowsOnTheCudaBackendMatchTheCpu) {
  const GoogSample& s = goog_sample();
  const EnvData data = s.data();
  const Config config = load_config(std::string(MMSIM_CONFIG_DIR) + "/quickstart.yaml");
  struct Case {
    const char* name;
    FillModel fill;
    LatencyConfig latency;
  };
  for (const Case& c : {Case{"cross", FillModel::cross, {}}, Case{"trades with latency", FillModel::trades, {1, 2, 1}}}) {
    SCOPED_TRACE(c.name);
    EnvConfig env = config.env;
    env.fill_model = c.fill;
    env.latency = c.latency;
    eval::Protocol on_cpu;
    on_cpu.windows = 64;
    on_cpu.steps = 300;
    on_cpu.seed = 5;
    eval::Protocol on_gpu = on_cpu;
    on_gpu.backend = gpu::cuda_eval_backend();
    const eval::WindowPlan plan = eval::plan_windows(data, env, on_cpu);
    auto random = eval::random_policy(5, static_cast<int>(env.actions.size()));
    auto fixed = eval::fixed_action_policy(1, env.actions[1]);
    CyclingQuotes cycling;
    double volume = 0;
    for (eval::Policy* policy : {random.get(), fixed.get(), static_cast<eval::Policy*>(&cycling)}) {
      eval::Trajectory cpu_path, gpu_path;
      const eval::PolicyResult cpu = eval::run_policy(data, env, on_cpu, plan, *policy, &cpu_path);
      const eval::PolicyResult gpu = eval::run_policy(data, env, on_gpu, plan, *policy, &gpu_path);
      expect_same_results(cpu, gpu);
      // Window 0 step by step: the same quotes resting and the same PnL path.
      ASSERT_EQ(cpu_path.pnl.size(), gpu_path.pnl.size());
      for (std::size_t k = 0; k < cpu_path.pnl.size(); ++k) {
        EXPECT_NEAR(cpu_path.pnl[k], gpu_path.pnl[k], kBackendSumTolerance * std::max(1.0, std::fabs(cpu_path.pnl[k])))
            << "step " << k;
        EXPECT_EQ(std::isnan(cpu_path.bid_quote[k]), std::isnan(gpu_path.bid_quote[k])) << "step " << k;
        if (!std::isnan(cpu_path.bid_quote[k])) {
          EXPECT_EQ(cpu_path.bid_quote[k], gpu_path.bid_quote[k]) << "step " << k;
        }
      }
      EXPECT_EQ(cpu_path.action, gpu_path.action);
      for (double v : cpu.volume) volume += v;
    }
    EXPECT_GT(volume, 0.0);  // the comparison covers fills
  }
}

}  // namespace
}  // namespace mmsim::test
