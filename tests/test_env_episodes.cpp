// The market-making env on the CPU: episode starts and the curriculum
// (docs/mechanics.md, "Episodes").

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <set>
#include <vector>

#include "env_test_util.hpp"
#include "mmsim/core/rng.hpp"

namespace mmsim::test {
namespace {

// ---------------------------------------------------------------------------
// Episode starts
// ---------------------------------------------------------------------------

TEST(EnvEpisodes, StartsAreDrawnOverEveryFittingStartInRangeOrder) {
  // L = 2 needs 3 rows. Ranges [0, 4): starts 0, 1; [4, 6): none (2 rows);
  // [10, 15): starts 10, 11, 12. Offered starts in range order: 0, 1, 10, 11, 12.
  const Market m = make_market(std::vector<BookRow>(15, BookRow{{{100, 5}}, {{101, 5}}}), {{0, 4}, {4, 6}, {10, 15}});
  const std::int64_t offered[] = {0, 1, 10, 11, 12};
  constexpr std::int64_t kEnvs = 40;
  constexpr std::uint64_t kSeed = 77;
  auto env = make_env(m, base_config(2, {{0, 0, 0, 0}}), kEnvs, kSeed);
  const std::vector<std::int32_t> actions(kEnvs, 0);
  std::set<std::int64_t> seen;
  for (std::uint64_t episode = 0; episode < 4; ++episode) {
    if (episode > 0) {
      env->step(actions.data());
      env->step(actions.data());
      ASSERT_EQ(env->outputs().terminated[0], 1);
    }
    for (std::int64_t i = 0; i < kEnvs; ++i) {
      // pick = uniform_index(seed, env, episode, 0, episode_start) over the 5 offered starts.
      const std::uint64_t pick =
          uniform_index(kSeed, static_cast<std::uint64_t>(i), episode, 0, RngPurpose::episode_start, 5);
      const std::int64_t start = offered[pick];
      // The first frame shows the start row's features: f0 = 10 x row.
      const float* frame = frame_of(*env, env->outputs().obs, i, 0);
      EXPECT_FLOAT_EQ(frame[0], feature_value(start, 0)) << "env " << i << " episode " << episode;
      seen.insert(static_cast<std::int64_t>(std::lround(frame[0] / 10)));
    }
  }
  // 160 draws over 5 starts reach every one of them and nothing else.
  EXPECT_EQ(seen, (std::set<std::int64_t>{0, 1, 10, 11, 12}));
}

// ---------------------------------------------------------------------------
// 10. Curriculum
// ---------------------------------------------------------------------------

// One range of 11 rows: cap = 10 steps.
Market curriculum_market() {
  return make_market(std::vector<BookRow>(11, BookRow{{{100, 5}}, {{101, 5}}}), {{0, 11}});
}

/// Lengths of the episodes env `i` finished within `steps` steps, read from
/// episode_length; each is also checked against the steps counted.
std::vector<std::vector<int>> episode_lengths(BatchEnv& env, int steps) {
  const std::int64_t n = env.num_envs();
  std::vector<std::vector<int>> lengths(static_cast<std::size_t>(n));
  std::vector<int> since(static_cast<std::size_t>(n), 0);
  const std::vector<std::int32_t> actions(static_cast<std::size_t>(n), 0);
  for (int s = 0; s < steps; ++s) {
    env.step(actions.data());
    for (std::int64_t i = 0; i < n; ++i) {
      const auto k = static_cast<std::size_t>(i);
      since[k] += 1;
      if (env.outputs().terminated[i] || env.outputs().truncated[i]) {
        lengths[k].push_back(env.outputs().episode_length[i]);
        EXPECT_EQ(env.outputs().episode_length[i], since[k]) << "env " << i << " at step " << s + 1;
        since[k] = 0;
      }
    }
  }
  return lengths;
}

EnvConfig curriculum_config(CurriculumCount count, std::int64_t every, std::int64_t max_length) {
  EnvConfig c = base_config(2, {{0, 0, 0, 0}});
  c.curriculum.enabled = true;
  c.curriculum.count = count;
  c.curriculum.increment = 3;
  c.curriculum.every = every;
  c.curriculum.max_length = max_length;
  return c;
}

TEST(EnvCurriculum, PerEnvGrowthUpToTheMaximum) {
  const Market m = curriculum_market();
  auto env = make_env(m, curriculum_config(CurriculumCount::per_env, 1, 9));
  // L = min(2 + 3 e, 9) with e = this env's finished episodes: 2, 5, 8, min(11, 9), min(14, 9).
  // 2 + 5 + 8 + 9 + 9 = 33 steps.
  const auto lengths = episode_lengths(*env, 33);
  EXPECT_EQ(lengths[0], (std::vector<int>{2, 5, 8, 9, 9}));
  EXPECT_EQ(env->finished_episodes(), (std::vector<std::int64_t>{5}));
  EXPECT_EQ(env->finished_total(), 5);
}

TEST(EnvCurriculum, PerEnvEveryAndTheCapOfTheLongestRange) {
  const Market m = curriculum_market();
  auto env = make_env(m, curriculum_config(CurriculumCount::per_env, 2, 20));
  // L = min(2 + 3 floor(e / 2), 20), capped at 11 - 1 = 10:
  // e = 0..6: 2, 2, 5, 5, 8, 8, min(11, 10) = 10. 2+2+5+5+8+8+10 = 40 steps.
  const auto lengths = episode_lengths(*env, 40);
  EXPECT_EQ(lengths[0], (std::vector<int>{2, 2, 5, 5, 8, 8, 10}));
}

TEST(EnvCurriculum, AllEnvsCountsEveryEnvsEpisodesAtTheStartOfTheStep) {
  const Market m = curriculum_market();
  auto env = make_env(m, curriculum_config(CurriculumCount::all_envs, 1, 20), 2);
  // Both envs run episode 0 of 2 steps. Step 2: both end; at the start of that
  // step 0 episodes had finished: episode 1 is 2 steps. Step 4: both end, 2 had
  // finished: 2 + 3 x 2 = 8. Step 12: 4 had finished: 2 + 12 = 14, capped at 10
  // (ends at step 22).
  const auto lengths = episode_lengths(*env, 22);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(lengths[static_cast<std::size_t>(i)], (std::vector<int>{2, 2, 8, 10}));
  EXPECT_EQ(env->finished_total(), 8);
  EXPECT_EQ(env->finished_episodes(), (std::vector<std::int64_t>{4, 4}));
}

TEST(EnvCurriculum, SetFinishedEpisodesRestoresTheState) {
  const Market m = curriculum_market();
  {
    auto env = make_env(m, curriculum_config(CurriculumCount::per_env, 1, 20));
    env->set_finished_episodes({1}, 1);
    EXPECT_EQ(env->finished_episodes(), (std::vector<std::int64_t>{1}));
    EXPECT_EQ(env->finished_total(), 1);
    // Episode 0 has begun (2 steps); when it ends e = 1 + 1 = 2: 2 + 6 = 8.
    const auto lengths = episode_lengths(*env, 10);
    EXPECT_EQ(lengths[0], (std::vector<int>{2, 8}));
    EXPECT_EQ(env->finished_episodes(), (std::vector<std::int64_t>{3}));
    // reset() clears the counters: episodes of 2 steps again, then 5.
    env->reset();
    EXPECT_EQ(env->finished_episodes(), (std::vector<std::int64_t>{0}));
    EXPECT_EQ(env->finished_total(), 0);
    EXPECT_EQ(episode_lengths(*env, 7)[0], (std::vector<int>{2, 5}));
    EXPECT_THROW(env->set_finished_episodes({1, 2}, 3), Error);
  }
  {
    auto env = make_env(m, curriculum_config(CurriculumCount::all_envs, 1, 20), 2);
    env->set_finished_episodes({0, 0}, 2);
    // Step 2: both end with 2 episodes counted before the step: 2 + 6 = 8.
    const auto lengths = episode_lengths(*env, 10);
    EXPECT_EQ(lengths[0], (std::vector<int>{2, 8}));
    EXPECT_EQ(lengths[1], (std::vector<int>{2, 8}));
    EXPECT_EQ(env->finished_total(), 6);
  }
}

}  // namespace
}  // namespace mmsim::test
