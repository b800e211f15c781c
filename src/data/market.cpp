#include "mmsim/data/market.hpp"

#include "mmsim/core/clock.hpp"

namespace mmsim {

MarketData load_market(const LoadOptions& load, const std::filesystem::path& cache_dir, const FeatureConfig& features,
                       const SplitConfig& split, const FeatureBackend& backend) {
  MarketData market;
  auto start = SteadyClock::now();
  market.cached = !cache_dir.empty();
  market.loaded = market.cached ? load_book(load, cache_dir, &market.cache) : load_book_uncached(load);
  market.load_seconds = seconds_since(start);

  const BookTensor& book = market.loaded.book;
  market.splits = make_splits(book, make_feature_layout(book, features).warmup_rows(), split);
  start = SteadyClock::now();
  if (backend.compute) {
    market.table = backend.compute(book, features, market.splits.train);
  } else {
    market.table = compute_features_cpu(book, features);
    normalise_features(market.table, market.splits.train);
  }
  market.feature_seconds = seconds_since(start);
  market.feature_backend = backend.name;
  return market;
}

}  // namespace mmsim
