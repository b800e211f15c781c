// The tabular learners' CUDA backend against the CPU reference: every
// buffer (tables, curves, the learners' and the envs' state and outputs)
// equal byte for byte after whole and partial episodes.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gpu_fixture.hpp"
#include "mmsim/config/market.hpp"
#include "mmsim/gpu/tabular.hpp"

namespace mmsim::test {
namespace {

class TabularGpu : public GpuTest {};

void expect_same_buffers(TabularBatch& cpu, TabularBatch& gpu_batch, const std::string& when) {
  const std::vector<HostBuffer> a = cpu.read_buffers(), b = gpu_batch.read_buffers();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a[k].name, b[k].name);
    EXPECT_TRUE(a[k].bytes == b[k].bytes) << a[k].name << " differs " << when;
  }
}

TEST_F(TabularGpu, EveryBufferMatchesTheCpuUnderBothRuleSets) {
  const Config config = load_config(std::string(MMSIM_CONFIG_DIR) + "/notebook.yaml", {"data.cache=false"});
  const MarketData market = load_market(config);
  for (const bool notebook_rules : {true, false}) {
    TabularConfig tc = config.tabular;
    tc.seeds = 5;
    tc.step_sizes = {0.05, 0.3};
    tc.epsilon_every = 1;
    TabularBatchSpec spec{market.view(), notebook_rules ? config.fill_prob : FillProbConfig{}, make_tabular_params(tc),
                          tabular_grid(tc), config.seed};
    spec.env.episode_length = 500;
    spec.params.episodes = 3;
    auto cpu = make_tabular_cpu_batch(spec, 2);
    auto gpu_batch = gpu::make_tabular_cuda_batch(spec);
    const std::string rules = notebook_rules ? "(notebook rules)" : "(defaults)";
    expect_same_buffers(*cpu, *gpu_batch, "after the first episodes began " + rules);
    // Chunks that end inside and across episodes.
    for (const std::int64_t steps : {137, 363, 500, 499}) {
      cpu->run(steps);
      gpu_batch->run(steps);
      expect_same_buffers(*cpu, *gpu_batch, "after " + std::to_string(steps) + " more steps " + rules);
    }
    // Evaluation: frozen greedy tables from the trained ones.
    const std::vector<double> tables = cpu->q_tables();
    spec.params.learns = 0;
    for (TabularLearner& l : spec.learners) l.epsilon = 0;
    auto cpu_eval = make_tabular_cpu_batch(spec, 1);
    auto gpu_eval = gpu::make_tabular_cuda_batch(spec);
    cpu_eval->load_tables(tables);
    gpu_eval->load_tables(tables);
    cpu_eval->run(700);
    gpu_eval->run(700);
    expect_same_buffers(*cpu_eval, *gpu_eval, "evaluating " + rules);
  }
}

TEST_F(TabularGpu, ThousandsOfLearnersMatchTheCpu) {
  const Config config = load_config(std::string(MMSIM_CONFIG_DIR) + "/notebook.yaml", {"data.cache=false"});
  const MarketData market = load_market(config);
  TabularConfig tc = config.tabular;
  tc.seeds = 1024;
  TabularBatchSpec spec{market.view(), config.fill_prob, make_tabular_params(tc), tabular_grid(tc), config.seed};
  spec.env.episode_length = 200;
  auto cpu = make_tabular_cpu_batch(spec, 0);
  auto gpu_batch = gpu::make_tabular_cuda_batch(spec);
  cpu->run(450);
  gpu_batch->run(450);
  expect_same_buffers(*cpu, *gpu_batch, "after 450 steps of 3,072 learners");
}

}  // namespace
}  // namespace mmsim::test
