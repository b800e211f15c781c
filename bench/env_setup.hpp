#pragma once
// The thesis setup (configs/thesis.yaml) on the shipped GOOG sample, shared
// by the env benchmarks.

#include <cstdint>
#include <string>

#include "mmsim/config/config.hpp"
#include "mmsim/data/features.hpp"
#include "mmsim/data/load.hpp"
#include "mmsim/env/batch_env.hpp"
#include "mmsim/env/layout.hpp"

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

/// Bytes a step moves per env, from the env's buffer layouts: the two book
/// rows read; the stacked rows' features read and the observation written;
/// every per-env state column read and written; one history entry written
/// and the stack's entries read; with latency, the arriving order's slot read
/// and the new order's slot written (and every slot's arrival step read with
/// jitter); every per-env output written once (final observations only at
/// episode ends: not counted); under `trades`, the row's message range and
/// its messages read once (the mean count per row of `book`).
inline double bytes_per_env_step(const BatchEnv& env, const BookTensor& book) {
  const StepParams& p = env.params();
  const double book_rows = 2.0 * book.depth * 4 * sizeof(std::int64_t);
  const double features_read = static_cast<double>(p.stack) * p.feature_count * sizeof(float);
  const double obs = static_cast<double>(env.observation_size()) * sizeof(float);
  double state = 0, history_entry = 0, slot = 0, arrivals = 0;
  for (const BufferDesc& d : state_layout(1, p)) {
    const auto bytes = static_cast<double>(buffer_bytes(d));
    if (d.name.rfind("pending_", 0) == 0) {
      slot += bytes / p.pending_slots;
      if (d.name == "pending_arrival") arrivals = bytes;
    } else if (d.name == "history_row" || d.name == "history_agent") {
      history_entry += bytes / p.stack;
    } else if (d.name != "finished_total") {  // one for the batch, not per env
      state += 2 * bytes;
    }
  }
  const double history = history_entry * (1 + p.stack);
  const double in_flight = p.pending_slots > 1 ? 2 * slot + (p.delay_jitter > 0 ? arrivals : 0.0) : 0.0;
  double outputs = 0;
  for (const BufferDesc& d : output_layout(1, p)) {
    if (d.name != "obs" && d.name != "final_obs" && d.name != "fault") outputs += static_cast<double>(buffer_bytes(d));
  }
  double messages = 0;
  if (p.fill_model == FillModel::trades && book.rows() > 0) {
    const double per_row = static_cast<double>(book.messages.size.size()) / static_cast<double>(book.rows());
    const double per_message = sizeof(std::int8_t) * 2 + sizeof(Lots) + sizeof(std::int64_t);
    messages = 2 * sizeof(std::int64_t) + per_row * per_message;
  }
  return book_rows + features_read + obs + state + history + in_flight + outputs + messages;
}

}  // namespace mmsim::bench
