// Avellaneda-Stoikov baselines: quotes against hand-computed values, and the
// calibration on hand-made and synthetic books whose answer is known.

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "mmsim/core/error.hpp"
#include "mmsim/core/rng.hpp"
#include "mmsim/eval/avellaneda_stoikov.hpp"
#include "test_util.hpp"
#include "tolerances.hpp"

namespace mmsim::test {
namespace {

using eval::AsModel;
using eval::AsQuotes;

// sigma_u = 100 x 0.02 = 2 (sigma_u^2 = 4), kappa_u = 20 / 100 = 0.2,
// gamma / kappa_u = 0.5, ln(1.5) = 0.405465108108164.
AsModel round_model() {
  AsModel m;
  m.sigma = 0.02;
  m.A = 0.5;
  m.kappa = 20;
  m.gamma = 0.1;
  m.order_size = 100;
  return m;
}

TEST(AvellanedaStoikov, FiniteHorizonQuotesMatchHandComputedValues) {
  const AsModel m = round_model();
  // T - t = 0: spread (2 / 0.1) ln(1.5) = 8.10930216216328 per order,
  // 0.0810930216216328 per share, half on each side whatever the inventory.
  for (double position : {-200.0, 0.0, 300.0}) {
    const AsQuotes q = eval::finite_horizon_quotes(m, position, 0);
    EXPECT_NEAR(q.bid_distance, 0.0405465108108164, kDoubleRounding);
    EXPECT_NEAR(q.ask_distance, 0.0405465108108164, kDoubleRounding);
  }
  // T - t = 1000: gamma sigma_u^2 (T - t) = 0.1 x 4 x 1000 = 400 per order, so
  // half spread (200 + 4.05465108108164) / 100 = 2.0405465108108164 per share
  // and s - r = q x 400 / 100 = 4q per share.
  const AsQuotes flat = eval::finite_horizon_quotes(m, 0, 1000);
  EXPECT_NEAR(flat.bid_distance, 2.0405465108108164, kDoubleRounding);
  EXPECT_NEAR(flat.ask_distance, 2.0405465108108164, kDoubleRounding);
  const AsQuotes long3 = eval::finite_horizon_quotes(m, 300, 1000);  // q = 3: s - r = 12
  EXPECT_NEAR(long3.bid_distance, 14.0405465108108164, kDoubleRoundingOfTens);
  EXPECT_NEAR(long3.ask_distance, -9.9594534891891836, kDoubleRoundingOfTens);
  const AsQuotes short2 = eval::finite_horizon_quotes(m, -200, 1000);  // q = -2: s - r = -8
  EXPECT_NEAR(short2.bid_distance, -5.9594534891891836, kDoubleRoundingOfTens);
  EXPECT_NEAR(short2.ask_distance, 10.0405465108108164, kDoubleRoundingOfTens);
}

TEST(AvellanedaStoikov, FiniteHorizonQuotesShiftAgainstTheInventory) {
  const AsModel m = round_model();
  const AsQuotes flat = eval::finite_horizon_quotes(m, 0, 50);
  EXPECT_DOUBLE_EQ(flat.bid_distance, flat.ask_distance);
  // Long: both quotes lower (the bid further from the mid, the ask closer).
  const AsQuotes lng = eval::finite_horizon_quotes(m, 100, 50);
  EXPECT_GT(lng.bid_distance, flat.bid_distance);
  EXPECT_LT(lng.ask_distance, flat.ask_distance);
  // The spread does not depend on the inventory.
  EXPECT_NEAR(lng.bid_distance + lng.ask_distance, flat.bid_distance + flat.ask_distance, kDoubleRounding);
  // With nothing left of the horizon only the liquidity term remains: (2 / gamma) ln(1 + gamma / kappa_u) / Delta.
  const AsQuotes end = eval::finite_horizon_quotes(m, 700, 0);
  EXPECT_NEAR(end.bid_distance + end.ask_distance, 2 / m.gamma * std::log(1.5) / m.order_size, kDoubleRounding);
}

TEST(AvellanedaStoikov, GlftQuotesMatchHandComputedValues) {
  const AsModel m = round_model();
  // sigma_u^2 gamma / (2 kappa_u A) = 4 x 0.1 / (2 x 0.2 x 0.5) = 2;
  // (1 + 0.5)^(1 + 0.2 / 0.1) = 1.5^3 = 3.375; c = sqrt(2 x 3.375) = sqrt(6.75)
  // = 2.598076211353316 per order, 0.02598076211353316 per share.
  // Base (1 / 0.1) ln(1.5) / 100 = 0.0405465108108164.
  const AsQuotes flat = eval::glft_quotes(m, 0);  // both: base + c / 2
  EXPECT_NEAR(flat.bid_distance, 0.0535368918675830, kDoubleRounding);
  EXPECT_NEAR(flat.ask_distance, 0.0535368918675830, kDoubleRounding);
  const AsQuotes long3 = eval::glft_quotes(m, 300);  // base + 3.5 c, base - 2.5 c
  EXPECT_NEAR(long3.bid_distance, 0.1314791782081825, kDoubleRounding);
  EXPECT_NEAR(long3.ask_distance, -0.0244053944730165, kDoubleRounding);
  const AsQuotes short2 = eval::glft_quotes(m, -200);  // base - 1.5 c, base + 2.5 c
  EXPECT_NEAR(short2.bid_distance, 0.0015753676405167, kDoubleRounding);
  EXPECT_NEAR(short2.ask_distance, 0.1054984160946493, kDoubleRounding);
}

TEST(AvellanedaStoikov, GlftQuotesMirrorUnderAFlippedInventory) {
  const AsModel m = round_model();
  for (double position : {0.0, 50.0, 100.0, 430.0}) {
    const AsQuotes up = eval::glft_quotes(m, position);
    const AsQuotes down = eval::glft_quotes(m, -position);
    EXPECT_NEAR(up.bid_distance, down.ask_distance, kDoubleRounding) << position;
    EXPECT_NEAR(up.ask_distance, down.bid_distance, kDoubleRounding) << position;
  }
  // One more order of inventory moves both quotes down by c.
  const AsQuotes a = eval::glft_quotes(m, 0), b = eval::glft_quotes(m, 100);
  EXPECT_NEAR(b.bid_distance - a.bid_distance, 0.02598076211353316, kDoubleRounding);
  EXPECT_NEAR(a.ask_distance - b.ask_distance, 0.02598076211353316, kDoubleRounding);
}

TEST(AvellanedaStoikov, InvalidParametersAreConfigErrors) {
  const std::vector<std::pair<std::string, std::function<void(AsModel&)>>> cases = {
      {"baselines.as.gamma", [](AsModel& m) { m.gamma = 0; }},
      {"baselines.as.gamma", [](AsModel& m) { m.gamma = std::nan(""); }},
      {"baselines.as.kappa", [](AsModel& m) { m.kappa = -1; }},
      {"baselines.as.A", [](AsModel& m) { m.A = 0; }},
      {"baselines.as.sigma", [](AsModel& m) { m.sigma = -0.01; }},
      {"baselines.as.order_size", [](AsModel& m) { m.order_size = 0; }},
  };
  for (const auto& [key, spoil] : cases) {
    AsModel m = round_model();
    spoil(m);
    expect_config_error([&] { eval::finite_horizon_quotes(m, 0, 10); }, key);
    expect_config_error([&] { eval::glft_quotes(m, 0); }, key);
  }
  AsModel calm = round_model();
  calm.sigma = 0;  // a constant mid is a valid model
  EXPECT_NO_THROW(eval::glft_quotes(calm, 100));
}

/// A one-session book of level-0 (bid, ask) rows in ticks.
BookTensor make_book(const std::vector<std::pair<Ticks, Ticks>>& rows, double tick_size = 0.01) {
  BookTensor book;
  book.instrument.tick_size = tick_size;
  book.depth = 1;
  const auto count = static_cast<std::int64_t>(rows.size());
  for (std::int64_t t = 0; t < count; ++t) {
    book.time_ns.push_back(t * 1000000000LL);
    book.bid_price.push_back(rows[static_cast<std::size_t>(t)].first);
    book.ask_price.push_back(rows[static_cast<std::size_t>(t)].second);
    book.bid_size.push_back(1);
    book.ask_size.push_back(1);
    book.source_line.push_back(t + 1);
  }
  book.session_begin = {0, count};
  book.session_names = {"s0"};
  return book;
}

Split split_of(std::vector<RowRange> ranges) {
  Split s;
  s.ranges = std::move(ranges);
  return s;
}

TEST(AvellanedaStoikovCalibration, SigmaOfAHandMadeBook) {
  // Mids 101, 102, 101.5, 100, 100.5 ticks: changes +1, -0.5, -1.5, +0.5, mean
  // -0.125; deviations 1.125, -0.375, -1.375, 0.625; squares sum to 3.6875;
  // population variance 0.921875 ticks^2.
  const BookTensor book = make_book({{100, 102}, {101, 103}, {101, 102}, {99, 101}, {100, 101}});
  EXPECT_NEAR(eval::estimate_sigma(book, split_of({{0, 5}})), 0.01 * std::sqrt(0.921875), kDoubleRoundingOfHundredths);
  // Ranges [0, 2) and [2, 5): the change 1 -> 2 joins two ranges and is left
  // out. Changes +1, -1.5, +0.5: mean 0, variance (1 + 2.25 + 0.25) / 3 = 7/6.
  EXPECT_NEAR(eval::estimate_sigma(book, split_of({{0, 2}, {2, 5}})), 0.01 * std::sqrt(7.0 / 6.0),
              kDoubleRoundingOfHundredths);
  EXPECT_THROW(eval::estimate_sigma(book, split_of({{0, 2}, {2, 3}, {3, 4}})), Error);  // 1 step in all
}

TEST(AvellanedaStoikovCalibration, SigmaOfARandomWalk) {
  // The mid moves one tick up or down with probability p = 0.3 per step:
  // variance p tick^2 (the mean change is 0 in expectation), sigma = 0.01 sqrt(0.3).
  constexpr std::int64_t kRows = 200000;
  constexpr double kP = 0.3;
  std::vector<std::pair<Ticks, Ticks>> rows;
  Ticks bid = 100000;
  for (std::int64_t t = 0; t < kRows; ++t) {
    rows.emplace_back(bid, bid + 1);
    const auto step = static_cast<std::uint32_t>(t);
    if (uniform01(5, 0, 0, step, RngPurpose::fill) < kP) {
      bid += uniform01(5, 1, 0, step, RngPurpose::fill) < 0.5 ? 1 : -1;
    }
  }
  const BookTensor book = make_book(rows);
  // Relative sampling error of the std about sqrt((1 - p) / (p n)) / 2 = 0.17%.
  EXPECT_NEAR(eval::estimate_sigma(book, split_of({{0, kRows}})), 0.01 * std::sqrt(kP),
              kSigmaSamplingRelative * 0.01 * std::sqrt(kP));
}

TEST(AvellanedaStoikovCalibration, FillsOfAHandMadeBook) {
  // Tick 0.01, distances 0.005, 0.01, 0.015, 0.02 (1 to 4 half ticks). Rows
  // (bid/ask, mid in ticks) and each step's largest filling distance:
  //   0: 100/102 (101)
  //   1:  98/99  (98.5)   bid: 101 - 99 = 2 ticks: all four distances (the last one exactly)
  //   2:  99/100 (99.5)   ask: 99 - 98.5 = 0.5 tick: 0.005
  //   3: 100/101 (100.5)  ask: 100 - 99.5 = 0.5 tick: 0.005
  //   4:  98/99  (98.5)   bid: 100.5 - 99 = 1.5 ticks: 0.005, 0.01, 0.015
  // The other side of each step is through the new spread and never fills.
  const BookTensor book = make_book({{100, 102}, {98, 99}, {99, 100}, {100, 101}, {98, 99}});
  const eval::DistanceFills all = eval::count_distance_fills(book, split_of({{0, 5}}), 0.005, 4);
  EXPECT_EQ(all.trials, 8);
  EXPECT_EQ(all.fills, (std::vector<std::int64_t>{4, 2, 2, 1}));
  ASSERT_EQ(all.distance.size(), 4u);
  EXPECT_DOUBLE_EQ(all.distance[0], 0.005);
  EXPECT_DOUBLE_EQ(all.distance[3], 0.02);
  // Ranges [0, 3) and [3, 5): step 2 -> 3 is left out.
  const eval::DistanceFills split = eval::count_distance_fills(book, split_of({{0, 3}, {3, 5}}), 0.005, 4);
  EXPECT_EQ(split.trials, 6);
  EXPECT_EQ(split.fills, (std::vector<std::int64_t>{3, 2, 2, 1}));
  // Whole-tick spacing: 0.01 and 0.02.
  const eval::DistanceFills ticks = eval::count_distance_fills(book, split_of({{0, 5}}), 0.01, 2);
  EXPECT_EQ(ticks.fills, (std::vector<std::int64_t>{2, 1}));
}

TEST(AvellanedaStoikovCalibration, FitRecoversAKnownIntensity) {
  // Bernoulli trials: trial i fills at distance d iff U_i < A exp(-kappa d),
  // one U per trial for every distance, as a real step fills nested distances.
  constexpr double kA = 0.4, kKappa = 30;
  constexpr std::int64_t kTrials = 100000;
  eval::DistanceFills fills;
  fills.trials = kTrials;
  for (int j = 0; j < 20; ++j) fills.distance.push_back(0.005 * (j + 1));  // p from 0.34 down to 0.02
  fills.fills.assign(fills.distance.size(), 0);
  for (std::int64_t i = 0; i < kTrials; ++i) {
    const double u = uniform01(9, static_cast<std::uint64_t>(i), 0, 0, RngPurpose::fill);
    for (std::size_t j = 0; j < fills.distance.size(); ++j) {
      if (u < kA * std::exp(-kKappa * fills.distance[j])) ++fills.fills[j];
    }
  }
  // Across seeds the estimates spread by about 0.8% (kappa) and 0.4% (A): 5% is 6 of those or more.
  const eval::IntensityModel fit = eval::fit_intensity(fills);
  EXPECT_NEAR(fit.kappa, kKappa, kIntensityFitSamplingRelative * kKappa);
  EXPECT_NEAR(fit.A, kA, kIntensityFitSamplingRelative * kA);
}

TEST(AvellanedaStoikovCalibration, FitWeightsEachDistanceByItsFills) {
  // Fills 400, 100, 40 of 1000 at 0.01, 0.02, 0.03. Weighted means: x = 7.2 / 540 = 1/75,
  // Sxx = 400 (1/300)^2 + 100 (1/150)^2 + 40 (1/60)^2 = 0.02,
  // Sxy = -(4/3) ln 0.4 + (2/3) ln 0.1 + (2/3) ln 0.04 = (2/3) ln 0.025,
  // kappa = -Sxy / Sxx = (100/3) ln 40 = 122.9626; ln A = y + kappa x = -1.3435738 + 1.6395020,
  // A = 1.3443736. (Unweighted least squares would give kappa = 115.13.)
  eval::DistanceFills fills;
  fills.distance = {0.01, 0.02, 0.03};
  fills.fills = {400, 100, 40};
  fills.trials = 1000;
  const eval::IntensityModel fit = eval::fit_intensity(fills, 1);
  EXPECT_NEAR(fit.kappa, 100.0 / 3.0 * std::log(40.0), kDoubleAccumulation);
  EXPECT_NEAR(fit.A, 1.3443736421371908, kDoubleRounding);
}

TEST(AvellanedaStoikovCalibration, FitNeedsTwoDistancesAndFallingFills) {
  eval::DistanceFills few;
  few.distance = {0.01, 0.02, 0.03};
  few.fills = {50, 19, 3};
  few.trials = 1000;
  EXPECT_THROW(eval::fit_intensity(few, 20), Error);
  EXPECT_NO_THROW(eval::fit_intensity(few, 19));
  eval::DistanceFills rising = few;
  rising.fills = {30, 60, 90};
  EXPECT_THROW(eval::fit_intensity(rising), Error);
}

/// Level-0 rows whose steps fill at most one side, at most D half ticks from
/// the mid, with P(D >= h) = 2 A r^h for h >= 1 and the side a fair coin: a
/// quote h half ticks away then fills with probability A r^h per trial
/// (2 trials a step), exactly the model's intensity on the half-tick grid.
BookTensor exponential_fill_book(std::int64_t steps, double a, double r) {
  std::vector<Ticks> reach(static_cast<std::size_t>(steps) + 1, 0);
  for (std::int64_t t = 0; t < steps; ++t) {
    const double u = uniform01(11, 0, 0, static_cast<std::uint32_t>(t), RngPurpose::fill);
    Ticks h = 0;
    while (u < 2 * a * std::pow(r, static_cast<double>(h + 1))) ++h;
    reach[static_cast<std::size_t>(t)] = h;
  }
  // Spreads of 1 or 2 ticks give twice the mid the parity the next step's reach needs.
  auto width = [&](std::int64_t t) -> Ticks { return reach[static_cast<std::size_t>(t)] % 2 == 0 ? 2 : 1; };
  std::vector<std::pair<Ticks, Ticks>> rows;
  rows.emplace_back(1000000, 1000000 + width(0));
  for (std::int64_t t = 0; t < steps; ++t) {
    const Ticks mid2 = rows.back().first + rows.back().second;
    const Ticks d = reach[static_cast<std::size_t>(t)], w = width(t + 1);
    if (d == 0) {
      rows.emplace_back(mid2 / 2, mid2 / 2 + w);  // the ask at or above the old mid, the bid at or below
    } else if (uniform01(11, 1, 0, static_cast<std::uint32_t>(t), RngPurpose::fill) < 0.5) {
      rows.emplace_back((mid2 - d) / 2 - w, (mid2 - d) / 2);  // the ask falls d half ticks below the old mid
    } else {
      rows.emplace_back((mid2 + d) / 2, (mid2 + d) / 2 + w);  // the bid rises d half ticks above it
    }
  }
  return make_book(rows);
}

TEST(AvellanedaStoikovCalibration, CalibrateRecoversABookBuiltFromTheModel) {
  constexpr double kA = 0.2, kR = 0.8;
  constexpr std::int64_t kSteps = 100000;
  const BookTensor book = exponential_fill_book(kSteps, kA, kR);
  const Split split = split_of({{0, kSteps + 1}});
  const eval::Calibration c = eval::calibrate(book, split, 20);
  EXPECT_EQ(c.fills.trials, 2 * kSteps);
  ASSERT_EQ(c.fills.distance.size(), 40u);
  EXPECT_DOUBLE_EQ(c.fills.distance[0], 0.005);
  EXPECT_DOUBLE_EQ(c.sigma, eval::estimate_sigma(book, split));
  // r = exp(-kappa x half tick): kappa = -ln(0.8) / 0.005 = 44.63 per currency.
  // Across seeds both estimates spread by about 0.8%: 5% is 6 of those.
  const double kappa = -std::log(kR) / 0.005;
  EXPECT_NEAR(c.intensity.kappa, kappa, kIntensityFitSamplingRelative * kappa);
  EXPECT_NEAR(c.intensity.A, kA, kIntensityFitSamplingRelative * kA);
}

TEST(AvellanedaStoikovCalibration, CalibrateOnTheGoogSample) {
  const GoogSample& goog = goog_sample();
  const Split& train = goog.splits.train;
  const eval::Calibration c = eval::calibrate(goog.loaded.book, train);
  EXPECT_TRUE(std::isfinite(c.sigma));
  EXPECT_GT(c.sigma, 0);
  EXPECT_GT(c.intensity.A, 0);
  EXPECT_LE(c.intensity.A, 1);  // a fill probability per step, extrapolated to the mid
  EXPECT_GT(c.intensity.kappa, 0);
  // One step per pair of consecutive rows of a range, two trials per step.
  EXPECT_EQ(c.fills.trials, 2 * (train.rows() - static_cast<std::int64_t>(train.ranges.size())));
}

}  // namespace
}  // namespace mmsim::test
