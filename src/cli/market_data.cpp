#include "cli/market_data.hpp"

namespace mmsim::cli {

MarketData load_market_data(const Config& config) {
  MarketData data;
  data.loaded = config.data.use_cache ? load_book(config.data.load, cache_dir_of(config))
                                      : load_book_uncached(config.data.load);
  data.table = compute_features_cpu(data.loaded.book, config.features);
  data.splits = make_splits(data.loaded.book, data.table.layout.warmup_rows(), config.split);
  normalise_features(data.table, data.splits.train);
  return data;
}

}  // namespace mmsim::cli
