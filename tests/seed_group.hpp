#pragma once
// `mmsim train --seeds K` trains its seeds side by side: a seed of a group
// must train exactly as it would alone. Shared by the CPU and GPU suites.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "cli/train.hpp"
#include "mmsim/config/config.hpp"

namespace mmsim::test {

inline cli::TrainOptions train_options(const std::string& device, int seeds) {
  cli::TrainOptions options;
  options.device = device;
  options.seeds = seeds;
  return options;
}

/// The quickstart config cut to a few small updates, with metrics read and a
/// validation after every update, writing its runs under `run_dir`.
inline Config small_seed_group_config(const std::filesystem::path& run_dir) {
  Config c = load_config(std::filesystem::path(MMSIM_CONFIG_DIR) / "quickstart.yaml");
  c.data.use_cache = false;
  c.train.run_dir = run_dir.string();
  c.train.num_envs = 32;
  c.train.rollout_steps = 8;
  c.train.total_frames = 4 * 32 * 8;
  c.train.metrics_every_updates = 1;
  c.train.eval_every_updates = 1;
  c.train.eval_windows = 4;
  c.train.eval_steps = 20;
  c.train.learning_rate = 1e-3;
  return c;
}

/// A run's metrics.csv as numbers, one row per metrics read, without the
/// frames/s column (timing); "-" (no episode finished) reads as NaN.
inline std::vector<std::vector<double>> run_metrics(const std::filesystem::path& run) {
  std::ifstream file(run / "metrics.csv");
  std::string line;
  std::getline(file, line);
  std::vector<std::vector<double>> rows;
  while (std::getline(file, line)) {
    std::vector<double> row;
    std::stringstream cells(line);
    std::string cell;
    for (int column = 0; std::getline(cells, cell, ','); ++column) {
      if (column == 2) continue;
      row.push_back(cell == "-" ? std::numeric_limits<double>::quiet_NaN() : std::stod(cell));
    }
    rows.push_back(row);
  }
  return rows;
}

/// Expects equal metrics, each value within `relative` x (1 + |value|) of the other's.
inline void expect_same_metrics(const std::vector<std::vector<double>>& a, const std::vector<std::vector<double>>& b,
                                double relative) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t r = 0; r < a.size(); ++r) {
    ASSERT_EQ(a[r].size(), b[r].size());
    for (std::size_t c = 0; c < a[r].size(); ++c) {
      if (std::isnan(a[r][c]) || std::isnan(b[r][c])) {
        EXPECT_EQ(std::isnan(a[r][c]), std::isnan(b[r][c])) << "row " << r << " column " << c;
      } else {
        EXPECT_NEAR(a[r][c], b[r][c], relative * (1 + std::abs(a[r][c]))) << "row " << r << " column " << c;
      }
    }
  }
}

/// Trains seeds 1 and 2 of `config` as a side-by-side group ("group") and its
/// seed 2 alone ("alone") on `device`; expects the group's seed 2 to train
/// like the lone run (metrics within `relative`, see expect_same_metrics),
/// and its seed 1 to differ.
/// Returns the group's output.
inline std::string expect_group_seed_trains_as_alone(Config config, const std::string& device, double relative) {
  config.seed = 1;
  config.train.name = "group";
  std::ostringstream group_output;
  EXPECT_EQ(cli::run_train(config, train_options(device, 2), group_output), 0);
  Config alone = config;
  alone.seed = 2;
  alone.train.name = "alone";
  std::ostringstream alone_output;
  EXPECT_EQ(cli::run_train(alone, train_options(device, 1), alone_output), 0);

  const std::filesystem::path runs(config.train.run_dir);
  const auto seed1 = run_metrics(runs / "group-seed1"), seed2 = run_metrics(runs / "group-seed2");
  const auto lone = run_metrics(runs / "alone");
  EXPECT_EQ(seed2.size(), 4u);
  expect_same_metrics(seed2, lone, relative);
  // The two seeds start from different weights: their first total losses
  // differ (column 11 without frames/s; never "-", unlike the episode columns).
  EXPECT_EQ(seed1.size(), seed2.size());
  if (!seed1.empty() && !seed2.empty()) {
    EXPECT_GT(seed1[0].size(), 11u);
  }
  if (!seed1.empty() && !seed2.empty() && seed1[0].size() > 11 && seed2[0].size() > 11) {
    EXPECT_FALSE(std::isnan(seed1[0][11]));
    EXPECT_NE(seed1[0][11], seed2[0][11]);
  }
  return group_output.str();
}

}  // namespace mmsim::test
