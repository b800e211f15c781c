// Training schedules over frames and the learning-rate decay.

#include <gtest/gtest.h>

#include <cmath>

#include "mmsim/core/error.hpp"
#include "mmsim/train/schedule.hpp"

namespace mmsim::train {
namespace {

Schedule thesis_epsilon() { return {Schedule::Kind::piecewise_linear, {0, 500000, 1000000}, {0.3, 0.03, 0.02}}; }
Schedule thesis_beta() {
  return {Schedule::Kind::step, {0, 500000, 1000000, 2000000, 3000000}, {0.01, 0.005, 0.001, 0.0001, 0.0}};
}

TEST(Schedule, PiecewiseLinearInterpolatesBetweenPoints) {
  const Schedule eps = thesis_epsilon();
  EXPECT_DOUBLE_EQ(eps.at(0), 0.3);
  EXPECT_DOUBLE_EQ(eps.at(250000), 0.165);   // halfway from 0.3 to 0.03
  EXPECT_DOUBLE_EQ(eps.at(500000), 0.03);
  EXPECT_DOUBLE_EQ(eps.at(750000), 0.025);   // halfway from 0.03 to 0.02
  EXPECT_DOUBLE_EQ(eps.at(5000000), 0.02);   // after the last point
}

TEST(Schedule, StepHoldsEachValueUntilTheNextPoint) {
  const Schedule beta = thesis_beta();
  EXPECT_DOUBLE_EQ(beta.at(0), 0.01);
  EXPECT_DOUBLE_EQ(beta.at(499999), 0.01);
  EXPECT_DOUBLE_EQ(beta.at(500000), 0.005);
  EXPECT_DOUBLE_EQ(beta.at(2500000), 0.0001);
  EXPECT_DOUBLE_EQ(beta.at(3000000), 0.0);
  EXPECT_DOUBLE_EQ(beta.at(9e9), 0.0);
}

TEST(Schedule, BeforeTheFirstPointTheFirstValueApplies) {
  const Schedule late{Schedule::Kind::piecewise_linear, {100, 200}, {1.0, 0.0}};
  EXPECT_DOUBLE_EQ(late.at(0), 1.0);
  EXPECT_DOUBLE_EQ(late.at(150), 0.5);
}

TEST(Schedule, ValidationNamesTheKey) {
  EXPECT_NO_THROW(validate(thesis_epsilon(), "train.epsilon"));
  for (const Schedule& bad : {Schedule{Schedule::Kind::step, {}, {}}, Schedule{Schedule::Kind::step, {0, 1}, {1}},
                              Schedule{Schedule::Kind::step, {0, 0}, {1, 2}},
                              Schedule{Schedule::Kind::step, {-1}, {1}},
                              Schedule{Schedule::Kind::step, {0}, {std::nan("")}}}) {
    try {
      validate(bad, "train.beta");
      ADD_FAILURE() << "accepted";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), "train.beta");
    }
  }
}

TEST(LearningRate, DecaysPerUpdateDownToTheFloor) {
  // 3e-5 x (1 - 1e-5)^100000 = 3e-5 x exp(100000 x ln(1 - 1e-5)) ~ 1.10363e-5 (1 - 1e-5 rounds, hence 1e-14).
  EXPECT_NEAR(decayed_learning_rate(3e-5, 1 - 1e-5, 0, 100000), 3e-5 * std::exp(100000 * std::log1p(-1e-5)), 1e-14);
  EXPECT_DOUBLE_EQ(decayed_learning_rate(3e-5, 1 - 1e-5, 2e-5, 100000), 2e-5);
  EXPECT_DOUBLE_EQ(decayed_learning_rate(3e-5, 1 - 1e-5, 0, 0), 3e-5);
}

}  // namespace
}  // namespace mmsim::train
