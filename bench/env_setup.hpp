#pragma once
// The thesis setup (configs/thesis.yaml) on the shipped GOOG sample, shared
// by the env benchmarks.

#include <cstdint>
#include <string>

#include "mmsim/config/config.hpp"
#include "mmsim/data/features.hpp"
#include "mmsim/data/load.hpp"
#include "mmsim/env/batch_env.hpp"

namespace mmsim::bench {

struct EnvSetup {
  Config config;
  LoadedBook loaded;
  FeatureTable table;
  Splits splits;
  EnvData data() const { return {&loaded.book, &table, &splits}; }
};

inline const EnvSetup& thesis_setup() {
  static const EnvSetup setup = [] {
    EnvSetup s;
    s.config = load_config(std::string(MMSIM_CONFIG_DIR) + "/thesis.yaml");
    // Fixed-length windows: the benchmark measures steps, not the curriculum.
    s.config.env.curriculum.enabled = false;
    s.config.env.episode_length = 3000;
    s.loaded = load_book_uncached(s.config.data.load);
    s.table = compute_features_cpu(s.loaded.book, s.config.features);
    s.splits = make_splits(s.loaded.book, s.table.layout.warmup_rows(), s.config.split);
    normalise_features(s.table, s.splits.train);
    return s;
  }();
  return setup;
}

/// The setup's env config with fill_model trades when `trades` is 1, else
/// cross, and orders taking effect `delay` steps after they are sent.
inline EnvConfig env_config(const EnvSetup& setup, std::int64_t trades, std::int64_t delay) {
  EnvConfig config = setup.config.env;
  config.fill_model = trades == 1 ? FillModel::trades : FillModel::cross;
  config.latency.delay = static_cast<int>(delay);
  return config;
}

/// Bytes a step moves per env: the observation written, the feature rows
/// read for it, the two book rows read, and the state and outputs read and
/// written (counted once each way).
inline double bytes_per_env_step(const BatchEnv& env, int depth) {
  const StepParams& p = env.params();
  const double obs = static_cast<double>(env.observation_size()) * sizeof(float);
  const double features_read = static_cast<double>(p.stack) * p.feature_count * sizeof(float);
  const double book = 2.0 * depth * 4 * sizeof(std::int64_t);
  const double state = 2.0 * (6 * sizeof(double) + 6 * sizeof(std::int64_t) + 4 * sizeof(std::int32_t) +
                              kAgentFeatures * sizeof(float));
  const double outputs = 12 * sizeof(double) + 4 * sizeof(std::int32_t) + sizeof(float) + 2;
  // With latency: every slot's arrival step read, one slot written, the
  // arriving order read and the active order's send step read and written.
  const double order_bytes = 2 * sizeof(std::int64_t) + 2 * sizeof(double);
  const double in_flight = p.pending_slots > 1 ? p.pending_slots * sizeof(std::int32_t) + 2 * order_bytes +
                                                     sizeof(std::int32_t) + 2 * sizeof(std::int32_t)
                                               : 0.0;
  return obs + features_read + book + state + outputs + in_flight;
}

}  // namespace mmsim::bench
