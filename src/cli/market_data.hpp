#pragma once
// The market data every training-side command starts from.

#include "mmsim/config/config.hpp"
#include "mmsim/data/features.hpp"
#include "mmsim/data/load.hpp"
#include "mmsim/data/splits.hpp"
#include "mmsim/env/batch_env.hpp"

namespace mmsim::cli {

/// A config's book (through the binary cache when data.cache is on), its
/// features computed on the CPU, and its splits, the features normalised
/// with the training split's statistics.
struct MarketData {
  LoadedBook loaded;
  FeatureTable table;
  Splits splits;

  /// Views of the members: valid while this object stays where it is.
  EnvData view() const { return {&loaded.book, &table, &splits}; }
};

MarketData load_market_data(const Config& config);

}  // namespace mmsim::cli
