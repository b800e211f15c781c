#include "mmsim/eval/baselines.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "env/backend.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/data/book_row.hpp"
#include "mmsim/env/core/pricing.hpp"

namespace mmsim::eval {
namespace {

class AvellanedaStoikovPolicy final : public Policy {
 public:
  AvellanedaStoikovPolicy(AsForm form, const Calibration& calibration, const AsBaselineConfig& config,
                          const EnvData& data, const StepParams& params)
      : form_(form), config_(config), market_(detail::host_market(data)), params_(params) {
    if (params.action_count < 1) throw ConfigError("env.actions", "the Avellaneda-Stoikov baselines need an action table");
    size_ = config.order_size > 0 ? config.order_size : params.actions[0].bid_size;
    if (!(size_ > 0)) {
      throw ConfigError("baselines.as.order_size",
                        "0 takes the first action's bid size, which is 0 here: set a size > 0");
    }
    model_.sigma = calibration.sigma;
    model_.A = calibration.intensity.A;
    model_.kappa = calibration.intensity.kappa;
    model_.gamma = config.gamma;
  }

  std::string name() const override { return as_policy_name(form_, config_.quotes); }
  bool quotes_explicitly() const override { return config_.quotes == AsQuoteMode::continuous; }

  void decide(const PolicyInput& input, const Decision& decision) override {
    const double tick = market_.tick_size;
    for (std::int64_t i = 0; i < input.n; ++i) {
      const std::int64_t row = input.row[i];
      const Ticks best_bid = market_.bid_price(row, 0);
      const Ticks best_ask = market_.ask_price(row, 0);
      const double mid = mid_ticks(market_, row);
      AsModel model = model_;
      model.order_size = params_.size_unit == SizeUnit::base ? size_ * market_.lot_size : size_ / (mid * tick);
      const AsQuotes q = form_ == AsForm::finite_horizon
                             ? finite_horizon_quotes(model, input.position[i],
                                                     static_cast<double>(input.steps - input.step))
                             : glft_quotes(model, input.position[i]);
      // Post-only: a quote through the opposite best price would take
      // liquidity; it rests one tick inside it instead.
      const double bid_offset = std::fmax(q.bid_distance / tick, mid - static_cast<double>(best_ask - 1));
      const double ask_offset = std::fmax(q.ask_distance / tick, static_cast<double>(best_bid + 1) - mid);
      if (config_.quotes == AsQuoteMode::continuous) {
        decision.quotes[i] = ActionRow{bid_offset, ask_offset, size_, size_};
      } else {
        decision.actions[i] = nearest_action(bid_offset, ask_offset, row);
      }
    }
  }

 private:
  /// The action-table row whose offsets at `row` are nearest (Euclidean, in ticks).
  std::int32_t nearest_action(double bid_offset, double ask_offset, std::int64_t row) const {
    std::int32_t best = 0;
    double best_distance = std::numeric_limits<double>::infinity();
    for (int a = 0; a < params_.action_count; ++a) {
      const ActionRow& r = params_.actions[a];
      const double db = offset_ticks(params_.offset_unit, market_, r.bid_offset, row) - bid_offset;
      const double da = offset_ticks(params_.offset_unit, market_, r.ask_offset, row) - ask_offset;
      const double distance = db * db + da * da;
      if (distance < best_distance) {
        best_distance = distance;
        best = a;
      }
    }
    return best;
  }

  AsForm form_;
  AsBaselineConfig config_;
  MarketView market_;
  StepParams params_;
  AsModel model_;
  double size_ = 0;
};

}  // namespace

std::unique_ptr<Policy> avellaneda_stoikov_policy(AsForm form, const Calibration& calibration,
                                                  const AsBaselineConfig& config, const EnvData& data,
                                                  const StepParams& params) {
  return std::make_unique<AvellanedaStoikovPolicy>(form, calibration, config, data, params);
}

const char* as_policy_name(AsForm form, AsQuoteMode mode) {
  if (form == AsForm::finite_horizon) {
    return mode == AsQuoteMode::continuous ? "Avellaneda-Stoikov" : "Avellaneda-Stoikov (snapped)";
  }
  return mode == AsQuoteMode::continuous ? "GLFT" : "GLFT (snapped)";
}

}  // namespace mmsim::eval
