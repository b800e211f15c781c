#pragma once
// A config's market data and the summary a user reads before training
// (`mmsim summary`; the same text for every front end).

#include <string>

#include "mmsim/config/config.hpp"
#include "mmsim/data/market.hpp"

namespace mmsim {

/// The market data of `config`: data.* (through the cache when data.cache is
/// on), features.* and split.*, the features computed by `backend`.
MarketData load_market(const Config& config, const FeatureBackend& backend = {});

/// The data summary of `market`, loaded with `config`: the config file and
/// hash, the files, the instrument, the cache, rows per step_on rule,
/// spreads, mid prices, time range, features, splits and, when env.actions is
/// set, the env's actions, observation and episodes. Lines end in '\n'.
std::string market_summary(const MarketData& market, const Config& config);

}  // namespace mmsim
