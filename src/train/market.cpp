#include "mmsim/train/market.hpp"

#include "mmsim/config/market.hpp"
#include "mmsim/train/lstm.hpp"

namespace mmsim::train {

MarketData load_agent_market(const Config& config, torch::Device device, std::ostream& out,
                             Split* full_training_split) {
  MarketData market = load_market(config);
  if (full_training_split != nullptr) *full_training_split = market.splits.train;
  if (config.features.lstm) {
    market.splits = add_lstm_features(config, market.loaded.book, market.table, market.splits, device, out);
  }
  return market;
}

}  // namespace mmsim::train
