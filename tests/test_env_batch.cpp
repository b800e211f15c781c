// The market-making env batch on the CPU: its buffers (outputs, state, save
// and load), determinism, invariants over many random steps on the shipped
// GOOG sample, faults and configuration errors (docs/mechanics.md,
// "Outputs", "Faults", "State").

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "env_test_util.hpp"
#include "mmsim/env/core/fills.hpp"
#include "mmsim/env/fill_prob_env.hpp"

namespace mmsim::test {
namespace {

// ---------------------------------------------------------------------------
// The shipped GOOG sample (11. determinism, 13. invariants)
// ---------------------------------------------------------------------------

std::vector<std::vector<std::vector<std::uint8_t>>> trajectory(BatchEnv& env, int steps, std::uint32_t action_seed) {
  std::mt19937 random(action_seed);
  std::vector<std::int32_t> actions(static_cast<std::size_t>(env.num_envs()));
  std::vector<std::vector<std::vector<std::uint8_t>>> all = {snapshot(env)};
  for (int s = 0; s < steps; ++s) {
    for (auto& a : actions) a = static_cast<std::int32_t>(random() % static_cast<std::uint32_t>(env.action_count()));
    env.step(actions.data());
    all.push_back(snapshot(env));
  }
  return all;
}

TEST(EnvOutputs, DescribeNamesEveryBufferWithItsShape) {
  const Market m = make_market(kAccountRows, {{0, 5}});
  EnvConfig c = base_config(4, kAccountActions);
  c.observation.stack = 3;
  auto env = make_env(m, c, 4);
  const auto buffers = env->describe_outputs();
  ASSERT_EQ(buffers.size(), 24u);
  EXPECT_EQ(buffers[0].name, "obs");
  EXPECT_EQ(buffers[0].dtype, DType::float32);
  EXPECT_EQ(buffers[0].shape, (std::vector<std::int64_t>{4, 3, kFrame}));
  EXPECT_EQ(buffers[0].data, static_cast<void*>(env->outputs().obs));
  EXPECT_EQ(buffers[1].name, "final_obs");
  EXPECT_EQ(buffers.back().name, "fault");
  EXPECT_EQ(buffers.back().shape, (std::vector<std::int64_t>{3}));
  for (const BufferDesc& d : buffers) EXPECT_EQ(d.device, Backend::cpu) << d.name;
}

TEST(EnvDeterminism, SameSeedSameTrajectoryAnyThreadCount) {
  const GoogSample& s = goog_sample();
  EnvConfig c = sample_config();
  c.episode_length = 50;  // several episodes in 200 steps
  auto a = make_cpu_env(s.data(), c, 16, 42, 2);
  auto b = make_cpu_env(s.data(), c, 16, 42, 2);
  auto one_thread = make_cpu_env(s.data(), c, 16, 42, 1);
  const auto ta = trajectory(*a, 200, 5);
  EXPECT_GE(a->finished_total(), 3 * 16);
  EXPECT_TRUE(ta == trajectory(*b, 200, 5)) << "same seed, same actions: different outputs";
  EXPECT_TRUE(ta == trajectory(*one_thread, 200, 5)) << "1 thread and 2 threads differ";
  // reset() replays episode 0 of every env.
  a->reset();
  EXPECT_TRUE(ta == trajectory(*a, 200, 5)) << "reset() does not replay the trajectory";
  // Another seed draws other windows: the first observations differ.
  auto other = make_cpu_env(s.data(), c, 16, 43, 2);
  const auto first = snapshot(*other);
  int envs_differing = 0;
  const std::int64_t obs_size = a->observation_size();
  for (std::int64_t i = 0; i < 16; ++i) {
    envs_differing += std::memcmp(first[0].data() + i * obs_size * 4, ta[0][0].data() + i * obs_size * 4,
                                  static_cast<std::size_t>(obs_size) * 4) != 0;
  }
  EXPECT_GE(envs_differing, 12);  // thousands of starts: equal windows are rare
}

TEST(EnvInvariants, RandomActionsOnTheSample) {
  const GoogSample& s = goog_sample();
  const BookTensor& book = s.loaded.book;
  const EnvConfig c = sample_config();
  constexpr std::int64_t kEnvs = 64;
  constexpr int kSteps = 1563;  // 64 x 1563 = 100,032 env-steps
  auto env = make_cpu_env(s.data(), c, kEnvs, 2024, 2);
  const auto& o = env->outputs();
  const double tick = book.instrument.tick_size, lot = book.instrument.lot_size;
  const int depth = book.depth;
  const int F = s.table.columns();
  const std::int64_t obs_size = env->observation_size();
  const int frame = env->params().frame_size;
  ASSERT_EQ(frame, F + kAgentFeatures);
  ASSERT_EQ(obs_size, 2 * frame);

  // The book's mids (half-ticks) and the largest visible depth per side (base units).
  std::set<std::int64_t> mids;
  double max_ask_depth = 0, max_bid_depth = 0;
  for (std::int64_t r = 0; r < book.rows(); ++r) {
    const auto best = static_cast<std::size_t>(r * depth);
    mids.insert(book.bid_price[best] + book.ask_price[best]);
    double asks = 0, bids = 0;
    for (int l = 0; l < depth; ++l) {
      asks += static_cast<double>(book.ask_size[static_cast<std::size_t>(r * depth + l)]);
      bids += static_cast<double>(book.bid_size[static_cast<std::size_t>(r * depth + l)]);
    }
    max_ask_depth = std::max(max_ask_depth, asks * lot);
    max_bid_depth = std::max(max_bid_depth, bids * lot);
  }
  const double min_mid = static_cast<double>(*mids.begin()) / 2 * tick;
  const double max_mid = static_cast<double>(*mids.rbegin()) / 2 * tick;

  std::mt19937 random(99);
  std::vector<std::int32_t> actions(kEnvs);
  std::vector<int> k(kEnvs, 0);  // steps taken in the current episode
  std::vector<double> cash(kEnvs, 0), position(kEnvs, 0), pnl(kEnvs, 0);
  std::int64_t bad_mark = 0, bad_flat = 0, bad_volume = 0, bad_nan = 0, bad_time = 0, bad_account = 0,
               bad_reward = 0, bad_limit = 0, ended = 0, fills = 0, holding = 0, liquidated = 0;
  std::string first_problem;
  auto note = [&](std::int64_t& counter, const std::string& what) {
    if (counter++ == 0 && first_problem.empty()) first_problem = what;
  };
  for (int step = 1; step <= kSteps; ++step) {
    for (auto& a : actions) a = static_cast<std::int32_t>(random() % c.actions.size());
    env->step(actions.data());
    for (std::int64_t i = 0; i < kEnvs; ++i) {
      const auto e = static_cast<std::size_t>(i);
      const std::string where = "env " + std::to_string(i) + " step " + std::to_string(step);
      const bool done = o.terminated[i] || o.truncated[i];
      if (o.truncated[i] != 0) note(bad_account, where + ": truncated with liquidate_at_end");
      k[e] = done ? 0 : k[e] + 1;
      ended += done;
      fills += o.bid_fills[i] + o.ask_fills[i];
      // No NaN in the observation or the reward.
      for (std::int64_t j = 0; j < obs_size; ++j) {
        if (!std::isfinite(o.obs[i * obs_size + j])) note(bad_nan, where + ": obs not finite");
      }
      if (!std::isfinite(o.reward[i])) note(bad_nan, where + ": reward not finite");
      // Time left of the newest frame: (L - k) / L, in [0, 1].
      const float time_left = o.obs[i * obs_size + frame + F + 4];
      if (!(time_left >= 0.0f && time_left <= 1.0f) ||
          std::fabs(time_left - (300.0 - k[e]) / 300.0) > kFloat32Rounding) {
        note(bad_time, where + ": time left " + std::to_string(time_left));
      }
      // Fill volumes never exceed the visible depth.
      if (o.bid_volume[i] > max_ask_depth || o.ask_volume[i] > max_bid_depth || o.bid_volume[i] < 0 ||
          o.ask_volume[i] < 0) {
        note(bad_volume, where + ": fill volume beyond the visible depth");
      }
      // Mark: PnL = cash + position x a mid of the book (on the half-tick grid).
      if (done && o.episode_pnl[i] != o.episode_pnl_mark[i]) ++liquidated;
      if (std::fabs(o.position[i]) > kDoubleAccumulation) {
        ++holding;
        const double mid = (o.pnl[i] - o.cash[i]) / o.position[i];
        const double half_ticks = mid * 2 / tick;
        if (mid < min_mid - kFloat32Rounding || mid > max_mid + kFloat32Rounding ||
            std::fabs(half_ticks - std::round(half_ticks)) > kFloat32RoundingOfHundreds ||
            mids.count(std::llround(half_ticks)) == 0) {
          note(bad_mark, where + ": PnL - cash = position x " + std::to_string(mid) + ", not a mid of the book");
        }
      } else if (std::fabs(o.pnl[i] - o.cash[i]) > kDoubleAccumulation) {
        note(bad_flat, where + ": flat but PnL != cash");
      }
      if (!done) {
        // The account moves by the step's fills and fees only.
        const double expected_position = position[e] + o.bid_volume[i] - o.ask_volume[i];
        const double expected_cash =
            cash[e] - o.bid_volume[i] * o.bid_price[i] + o.ask_volume[i] * o.ask_price[i] - o.fees[i];
        if (std::fabs(o.position[i] - expected_position) > kDoubleAccumulation ||
            std::fabs(o.cash[i] - expected_cash) > kDoubleAccumulation * std::max(1.0, std::fabs(expected_cash))) {
          note(bad_account, where + ": cash or position moved by more than the fills and fees");
        }
        // Asymmetric reward with eta 0.1, no penalty.
        const double dpnl = o.pnl[i] - pnl[e];
        const double reward = dpnl - 0.1 * std::max(dpnl, 0.0);
        if (std::fabs(o.reward[i] - reward) > kFloat32RoundingOfTens * std::max(1.0, std::fabs(reward))) {
          note(bad_reward, where + ": reward " + std::to_string(o.reward[i]) + ", expected " + std::to_string(reward));
        }
        if (std::fabs(o.position[i]) > c.inventory_limit + kDoubleAccumulation) note(bad_limit, where + ": beyond the limit");
      } else {
        // The new episode starts empty; the old one ended flat after liquidation.
        if (o.pnl[i] != 0 || o.position[i] != 0 || o.cash[i] != 0) note(bad_account, where + ": reset not empty");
      }
      cash[e] = o.cash[i];
      position[e] = o.position[i];
      pnl[e] = o.pnl[i];
    }
  }
  EXPECT_EQ(bad_nan, 0) << first_problem;
  EXPECT_EQ(bad_time, 0) << first_problem;
  EXPECT_EQ(bad_volume, 0) << first_problem;
  EXPECT_EQ(bad_mark, 0) << first_problem;
  EXPECT_EQ(bad_flat, 0) << first_problem;
  EXPECT_EQ(bad_account, 0) << first_problem;
  EXPECT_EQ(bad_reward, 0) << first_problem;
  EXPECT_EQ(bad_limit, 0) << first_problem;
  // 1563 steps of 300-step episodes: 5 per env.
  EXPECT_EQ(ended, 5 * kEnvs);
  EXPECT_EQ(env->finished_total(), 5 * kEnvs);
  EXPECT_GT(fills, 100);          // the scenario trades,
  EXPECT_GT(holding, kSteps);     // holds positions (the mark check ran),
  EXPECT_GT(liquidated, kEnvs);   // and liquidates at the ends of windows
  EXPECT_NO_THROW(env->check_faults());
}


// ---------------------------------------------------------------------------
// Buffers: the field tables, the described layouts, save and load
// ---------------------------------------------------------------------------

static_assert(dtype_of<float>() == DType::float32 && dtype_of<double>() == DType::float64 &&
                  dtype_of<std::int32_t>() == DType::int32 && dtype_of<std::int64_t>() == DType::int64 &&
                  dtype_of<std::uint64_t>() == DType::uint64 && dtype_of<std::uint8_t>() == DType::uint8,
              "each element type has its DType");

/// The addresses a views struct (element pointers only) holds, in member order.
template <class Views>
std::vector<std::uintptr_t> pointers_of(const Views& views) {
  static_assert(sizeof(Views) % sizeof(void*) == 0, "a views struct holds pointers only");
  std::vector<std::uintptr_t> pointers(sizeof(Views) / sizeof(void*));
  std::memcpy(pointers.data(), &views, sizeof(Views));
  return pointers;
}

/// Expects every member of `Views` to be bound by exactly one field of `fields`.
template <class Views, class Params>
void expect_one_field_per_member(const FieldTable<Views, Params>& fields) {
  const auto is_set = [](std::uintptr_t pointer) { return pointer != 0; };
  std::set<std::size_t> bound;
  for (std::size_t k = 0; k < fields.size(); ++k) {
    Views views;
    fields[k].bind(&views, reinterpret_cast<void*>(std::uintptr_t{64} * (k + 1)));
    const auto pointers = pointers_of(views);
    EXPECT_EQ(std::count_if(pointers.begin(), pointers.end(), is_set), 1) << fields[k].name;
    const auto member = static_cast<std::size_t>(std::find_if(pointers.begin(), pointers.end(), is_set) -
                                                 pointers.begin());
    EXPECT_TRUE(bound.insert(member).second) << fields[k].name << " binds a member another field binds";
  }
  EXPECT_EQ(bound.size(), pointers_of(Views{}).size()) << "a member without a field";
}

TEST(EnvBuffers, EveryViewMemberHasExactlyOneFieldInItsTable) {
  expect_one_field_per_member(output_fields());
  expect_one_field_per_member(state_fields());
  expect_one_field_per_member(fill_prob_output_fields());
  expect_one_field_per_member(fill_prob_state_fields());
}

/// The sample's config with every per-env extent above 1 (3 frames, 4 order
/// slots) and episodes short enough to end within a test.
EnvConfig buffers_config() {
  EnvConfig c = sample_config();
  c.episode_length = 20;
  c.observation.stack = 3;
  c.latency = {2, 1, 1};
  return c;
}

TEST(EnvBuffers, DescribedLayoutsAreTheDocumentedOnesAndTheViewsPointIntoThem) {
  const GoogSample& s = goog_sample();
  auto env = make_cpu_env(s.data(), buffers_config(), 5, 3, 1);
  const std::int64_t frame = env->params().frame_size;
  struct Documented {
    const char* name;
    DType dtype;
    Shape shape;
  };
  // docs/mechanics.md, "Outputs", in order.
  const std::vector<Documented> documented = {
      {"obs", DType::float32, {5, 3, frame}},
      {"final_obs", DType::float32, {5, 3, frame}},
      {"reward", DType::float32, {5}},
      {"terminated", DType::uint8, {5}},
      {"truncated", DType::uint8, {5}},
      {"pnl", DType::float64, {5}},
      {"position", DType::float64, {5}},
      {"cash", DType::float64, {5}},
      {"fees", DType::float64, {5}},
      {"bid_volume", DType::float64, {5}},
      {"ask_volume", DType::float64, {5}},
      {"bid_price", DType::float64, {5}},
      {"ask_price", DType::float64, {5}},
      {"bid_fills", DType::int32, {5}},
      {"ask_fills", DType::int32, {5}},
      {"bid_quote", DType::int64, {5}},
      {"ask_quote", DType::int64, {5}},
      {"liquidation", DType::float64, {5}},
      {"liquidation_fee", DType::float64, {5}},
      {"episode_pnl", DType::float64, {5}},
      {"episode_pnl_mark", DType::float64, {5}},
      {"episode_length", DType::int32, {5}},
      {"episode_fills", DType::int32, {5}},
      {"fault", DType::int64, {3}},
  };
  const auto buffers = env->describe_outputs();
  const auto& fields = output_fields();
  ASSERT_EQ(buffers.size(), documented.size());
  ASSERT_EQ(fields.size(), documented.size());
  for (std::size_t k = 0; k < documented.size(); ++k) {
    SCOPED_TRACE(documented[k].name);
    EXPECT_EQ(buffers[k].name, documented[k].name);
    EXPECT_EQ(buffers[k].dtype, documented[k].dtype);
    EXPECT_EQ(buffers[k].shape, documented[k].shape);
    EXPECT_EQ(buffers[k].device, Backend::cpu);
    EXPECT_EQ(fields[k].name, buffers[k].name);
    EXPECT_EQ(fields[k].dtype, buffers[k].dtype);
    EXPECT_EQ(fields[k].shape(5, env->params()), buffers[k].shape);
  }
  // outputs() points into exactly the described buffers.
  EnvOutputViews bound;
  bind_buffers(fields, buffers, &bound);
  EXPECT_EQ(pointers_of(bound), pointers_of(env->outputs()));
  // The state: per-env columns, 4 order slots, 3 frames, and the batch's totals.
  const auto state = state_layout(5, env->params());
  ASSERT_EQ(state.size(), state_fields().size());
  for (std::size_t k = 0; k < state.size(); ++k) {
    const BufferDesc& d = state[k];
    EXPECT_EQ(d.name, state_fields()[k].name);
    Shape expected{5};
    if (d.name.rfind("pending_", 0) == 0) expected = {5, 4};
    if (d.name == "history_row") expected = {5, 3};
    if (d.name == "history_agent") expected = {5, 3, kAgentFeatures};
    if (d.name == "finished_total") expected = {2};
    EXPECT_EQ(d.shape, expected) << d.name;
    if (d.name == "episode" || d.name == "finished_total") {
      EXPECT_EQ(d.dtype, DType::uint64) << d.name;
    }
  }
}

/// Every buffer of the saved bytes of `env`, state then outputs, in table order.
std::vector<std::vector<std::uint8_t>> saved_buffers(const BatchEnv& env, const std::vector<std::uint8_t>& saved) {
  std::vector<std::vector<std::uint8_t>> buffers;
  std::size_t at = saved_state_start(env, saved);
  for (const auto& layout : {state_layout(env.num_envs(), env.params()), output_layout(env.num_envs(), env.params())}) {
    for (const BufferDesc& d : layout) {
      const auto size = static_cast<std::size_t>(buffer_bytes(d));
      buffers.emplace_back(saved.begin() + static_cast<std::ptrdiff_t>(at),
                           saved.begin() + static_cast<std::ptrdiff_t>(at + size));
      at += size;
    }
  }
  EXPECT_EQ(at, saved.size());
  return buffers;
}

TEST(EnvBuffers, SaveAndLoadRoundTripEveryBuffer) {
  const GoogSample& s = goog_sample();
  const EnvConfig c = buffers_config();
  auto played = make_cpu_env(s.data(), c, 7, 5, 1);
  std::mt19937 random(3);
  std::vector<std::int32_t> actions(7);
  for (int k = 0; k < 37; ++k) {
    for (auto& a : actions) a = static_cast<std::int32_t>(random() % c.actions.size());
    played->step(actions.data());
  }
  ASSERT_GT(played->finished_total(), 0);
  const auto saved = played->save_state();
  auto resumed = make_cpu_env(s.data(), c, 7, 5, 1);
  const auto fresh = saved_buffers(*resumed, resumed->save_state());
  resumed->load_state(saved);
  const auto loaded = saved_buffers(*resumed, resumed->save_state());
  const auto expected = saved_buffers(*played, saved);
  std::vector<std::string> names;
  for (const auto& field : state_fields()) names.emplace_back(field.name);
  for (const auto& field : output_fields()) names.emplace_back(std::string("output ") + field.name);
  ASSERT_EQ(loaded.size(), names.size());
  int differed = 0;
  for (std::size_t k = 0; k < names.size(); ++k) {
    EXPECT_EQ(loaded[k], expected[k]) << names[k];
    differed += fresh[k] != expected[k];
  }
  EXPECT_GE(differed, 30) << "the played state hardly differs from a fresh one";
  EXPECT_EQ(snapshot(*resumed), snapshot(*played));
  EXPECT_EQ(resumed->finished_episodes(), played->finished_episodes());
  EXPECT_EQ(resumed->finished_total(), played->finished_total());
}

TEST(EnvBuffers, LoadStateRefusesAnOlderLayoutAndAnotherShapeAndChangesNothing) {
  const GoogSample& s = goog_sample();
  const EnvConfig c = buffers_config();
  auto env = make_cpu_env(s.data(), c, 7, 5, 1);
  const auto saved = env->save_state();
  const auto expect_refused = [&](BatchEnv& target, const std::vector<std::uint8_t>& bytes, const std::string& why) {
    const auto before = target.save_state();
    try {
      target.load_state(bytes);
      ADD_FAILURE() << "loaded bytes that " << why;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
    EXPECT_EQ(target.save_state(), before);
  };
  // Checkpoint format 2 held the buffers alone, without the header.
  const std::vector<std::uint8_t> older(saved.begin() + static_cast<std::ptrdiff_t>(saved_state_start(*env, saved)),
                                        saved.end());
  expect_refused(*env, older, "older layout");
  auto wider = make_cpu_env(s.data(), c, 8, 5, 1);
  expect_refused(*wider, saved, "does not fit this env");
}

// ---------------------------------------------------------------------------
// 12. Faults and configuration errors
// ---------------------------------------------------------------------------

TEST(EnvFaults, AnInvalidActionIsReportedWithItsEnvAndStepThenCleared) {
  const Market m = make_market(kFillRows, {kBidRange});
  // Action 0 bids 4: an invalid index falls back to it.
  auto env = make_env(m, base_config(2, {{0, 0, 4, 0}, {0, 0, 0, 0}}), 3);
  const auto& o = env->outputs();
  const std::int32_t actions[] = {1, 7, -1};
  env->step(actions);
  EXPECT_DOUBLE_EQ(o.bid_volume[0], 0.0);
  EXPECT_DOUBLE_EQ(o.bid_volume[1], 4.0);  // action 0 was used
  EXPECT_DOUBLE_EQ(o.bid_volume[2], 4.0);
  EXPECT_EQ(o.fault[0], 1);  // the lowest env
  EXPECT_EQ(o.fault[1], 0);
  EXPECT_EQ(o.fault[2], static_cast<std::int64_t>(FaultKind::invalid_action));
  try {
    env->check_faults();
    ADD_FAILURE() << "no fault reported";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("env 1"), std::string::npos) << what;
    EXPECT_NE(what.find("step 0"), std::string::npos) << what;
  }
  EXPECT_NO_THROW(env->check_faults());
  EXPECT_EQ(o.fault[0], -1);
  const std::int32_t valid[] = {0, 0, 0};
  env->step(valid);
  EXPECT_NO_THROW(env->check_faults());
}

TEST(EnvFaults, TheFirstFaultIsKeptUntilChecked) {
  const Market m = make_market(kFillRows, {{0, 9}});
  auto env = make_env(m, base_config(4, {{0, 0, 0, 0}}), 3);
  const std::int32_t first[] = {0, 0, 5};   // env 2, step 0 of its episode
  const std::int32_t second[] = {5, 0, 0};  // env 0, step 1: later, not the first
  env->step(first);
  env->step(second);
  try {
    env->check_faults();
    ADD_FAILURE() << "no fault reported";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("env 2, step 0"), std::string::npos) << what;
  }
  EXPECT_NO_THROW(env->check_faults());
}

TEST(EnvFaults, AFillModelOutsideTheEnumerationIsAFaultAndFillsNothing) {
  StepParams p;
  p.fill_model = static_cast<FillModel>(2);
  std::int32_t step[1] = {4};
  double rest[1] = {10};
  EnvState s;
  s.step = step;
  s.bid_rest = s.ask_rest = rest;
  std::int64_t fault[3] = {-1, -1, -1};
  EnvOutputViews o;
  o.fault = fault;
  const StepFills fills = fill_orders(p, MarketView{}, s, o, 0, 0, true, SentOrder{100, 101, 1, 1});
  EXPECT_EQ(fills.bought.units + fills.sold.units, 0.0);
  EXPECT_EQ(fills.bought.count + fills.sold.count, 0);
  EXPECT_EQ(fills.bid_resting + fills.ask_resting, 0);
  EXPECT_EQ(rest[0], 10.0);
  EXPECT_EQ(fault[0], 0);
  EXPECT_EQ(fault[1], 4);
  EXPECT_EQ(fault[2], static_cast<std::int64_t>(FaultKind::invalid_fill_model));
  try {
    throw_if_fault(fault);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("env 0, step 4 of its episode: the fill model is none of"), std::string::npos)
        << e.what();
  }
}

TEST(EnvConfigValidation, RejectsValuesOutsideTheirRange) {
  const EnvConfig good = base_config(10, {{1, 1, 1, 1}});
  EXPECT_NO_THROW(validate(good));
  EnvConfig c = good;
  c.actions.clear();
  expect_config_error(c, "env.actions");
  c = good;
  c.actions = {{1, 1, 1, 1}, {-0.5, 1, 1, 1}};
  expect_config_error(c, "env.actions[1]");
  c = good;
  c.observation.stack = 0;
  expect_config_error(c, "env.observation.stack");
  c = good;
  c.reward.eta = 1.5;
  expect_config_error(c, "env.reward.eta");
  c = good;
  c.episode_length = 0;
  expect_config_error(c, "env.episode_length");
  // make_cpu_env validates too.
  const Market m = make_market(kFillRows, {kBidRange});
  c = good;
  c.actions.clear();
  EXPECT_THROW(make_env(m, c), ConfigError);
  // A split without a range of 2 rows cannot hold one step.
  const Market short_split = make_market(kFillRows, {{0, 1}, {4, 5}});
  try {
    make_env(short_split, good);
    ADD_FAILURE() << "no ConfigError for env.split";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "env.split");
  }
}

}  // namespace
}  // namespace mmsim::test
