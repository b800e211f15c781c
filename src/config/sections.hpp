#pragma once
// The key table of every config section (config/keys.hpp), in the order
// to_yaml writes them.

#include "config/keys.hpp"
#include "mmsim/config/config.hpp"

namespace mmsim::config {

const Table<DataConfig>& data_keys();
const Table<FeatureConfig>& feature_keys();
const Table<SplitConfig>& split_keys();
const Table<EnvConfig>& env_keys();
const Table<FillProbConfig>& fill_prob_keys();
const Table<TabularConfig>& tabular_keys();
const Table<SpreadConfig>& spread_keys();
const Table<BaselinesConfig>& baselines_keys();
const Table<train::TrainConfig>& train_keys();
const Table<train::LstmConfig>& lstm_keys();
/// Every section, and the top-level keys.
const Table<Config>& config_keys();

}  // namespace mmsim::config
