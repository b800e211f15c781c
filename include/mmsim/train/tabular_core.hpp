#pragma once
// The notebook's tabular learners (seed 002): Q-learning, SARSA and Expected
// SARSA on the fill-probability env, one learner per env, in one step that
// the CPU and CUDA backends both run (docs/notebook.md). Host and device
// compilable; no Torch.

#include <cstdint>

#include "mmsim/config/enum_table.hpp"
#include "mmsim/core/hd.hpp"
#include "mmsim/core/rng.hpp"
#include "mmsim/env/fill_prob_env.hpp"

namespace mmsim {

enum class TabularAlgorithm : std::int32_t { q_learning, sarsa, expected_sarsa };

/// The actions epsilon-greedy chooses from. The notebook's last version
/// allows every action in every position; an earlier one only those that
/// change or keep the position (long: hold, sell; short: hold, buy).
enum class TabularActions : std::int32_t { all, position_valid };

constexpr auto enum_names(TabularAlgorithm) {
  return enum_table<TabularAlgorithm>({{TabularAlgorithm::q_learning, "q_learning"},
                                       {TabularAlgorithm::sarsa, "sarsa"},
                                       {TabularAlgorithm::expected_sarsa, "expected_sarsa"}});
}
constexpr auto enum_names(TabularActions) {
  return enum_table<TabularActions>({{TabularActions::all, "all"}, {TabularActions::position_valid, "position_valid"}});
}
inline const char* to_string(TabularAlgorithm algorithm) { return enum_names(algorithm).name(algorithm); }

inline constexpr int kTabularActions = 3;                          ///< sell, hold, buy
inline constexpr int kTabularStates = 3 * kFillProbBuckets;        ///< position x bucket
inline constexpr int kTabularTable = kTabularStates * kTabularActions;  ///< Q values per learner

/// Parameters every learner of a batch shares (device-copyable).
struct TabularParams {
  double gamma = 1;                 ///< discount of the update's target
  std::int32_t epsilon_every = 15;  ///< episodes per epsilon decay
  TabularActions actions = TabularActions::all;
  std::int32_t learns = 1;    ///< 1: update the tables; 0: only act on them (evaluation)
  std::int32_t episodes = 1;  ///< columns of `curves`
  /// What the acting draws are keyed by: `action` for learners, another
  /// purpose for a policy that must not share their draws (the evaluation's
  /// random policy).
  RngPurpose action_purpose = RngPurpose::action;
};

/// Per-learner buffers, structure of arrays over L learners.
struct TabularLearnerViews {
  std::int32_t* algorithm = nullptr;  ///< [L] TabularAlgorithm
  double* step_size = nullptr;        ///< [L] alpha
  double* epsilon = nullptr;          ///< [L] epsilon of episode 0
  double* epsilon_decay = nullptr;    ///< [L] factor per epsilon_every episodes
  std::uint64_t* stream = nullptr;    ///< [L] random stream of the learner's draws (its seed index)
  double* q = nullptr;                ///< [L, 30, 3] Q(position x 10 + k, action)
  std::int32_t* action = nullptr;     ///< [L] SARSA's action chosen for the current state
  double* epsilon_now = nullptr;      ///< [L] epsilon of the current episode
  double* episode_reward = nullptr;   ///< [L] rewards summed in the current episode (currency)
  double* curves = nullptr;           ///< [L, episodes] the reward sum of each finished episode
};

/// Epsilon of `episode`: epsilon x decay^(episode / every), by repeated
/// products so that every backend rounds alike.
MMSIM_HD inline double tabular_epsilon(double epsilon, double decay, std::int32_t every, std::uint64_t episode) {
  const std::uint64_t decays = episode / static_cast<std::uint64_t>(every);
  for (std::uint64_t n = 0; n < decays; ++n) epsilon *= decay;
  return epsilon;
}

/// Whether `action` may be chosen in the state's position.
MMSIM_HD inline bool tabular_allowed(TabularActions actions, std::int32_t state, int action) {
  if (actions == TabularActions::all) return true;
  const auto position = static_cast<FillProbPosition>(state / kFillProbBuckets);
  if (position == FillProbPosition::long_) return action != static_cast<int>(FillProbAction::buy);
  if (position == FillProbPosition::short_) return action != static_cast<int>(FillProbAction::sell);
  return true;
}

/// Epsilon-greedy over the allowed actions with one draw: explore when
/// uniform01_of(draw) < epsilon (an allowed action uniformly), else the
/// largest Q value, ties broken uniformly (both with uniform_index_of(draw)).
/// NaN values are never greatest; a state whose allowed values are all NaN
/// explores (its NaN reward has been reported as a fault).
MMSIM_HD inline std::int32_t tabular_choose(const double* q_state, std::int32_t state, double epsilon,
                                            TabularActions actions, const r123::Philox4x32::ctr_type& draw) {
  int candidates[kTabularActions];
  int count = 0;
  if (!(uniform01_of(draw) < epsilon)) {
    double best = 0;
    for (int a = 0; a < kTabularActions; ++a) {
      if (!tabular_allowed(actions, state, a) || !(q_state[a] == q_state[a])) continue;
      if (count == 0 || q_state[a] > best) {
        best = q_state[a];
        count = 0;
      }
      if (q_state[a] == best) candidates[count++] = a;
    }
  }
  if (count == 0) {
    for (int a = 0; a < kTabularActions; ++a) {
      if (tabular_allowed(actions, state, a)) candidates[count++] = a;
    }
  }
  return candidates[uniform_index_of(draw, static_cast<std::uint64_t>(count))];
}

/// Largest of the state's three Q values.
MMSIM_HD inline double tabular_max(const double* q_state) {
  double best = q_state[0];
  for (int a = 1; a < kTabularActions; ++a) best = q_state[a] > best ? q_state[a] : best;
  return best;
}

/// Expected SARSA's target as the notebook computes it: over all three
/// actions, (1 - eps) / |ties| + eps / 3 on each maximum, eps / 3 elsewhere,
/// summed in action order.
MMSIM_HD inline double tabular_expectation(const double* q_state, double epsilon) {
  const double best = tabular_max(q_state);
  int ties = 0;
  for (int a = 0; a < kTabularActions; ++a) ties += q_state[a] == best ? 1 : 0;
  double target = 0;
  for (int a = 0; a < kTabularActions; ++a) {
    const double share = q_state[a] == best ? (1.0 - epsilon) / ties + epsilon / kTabularActions
                                            : epsilon / kTabularActions;
    target += share * q_state[a];
  }
  return target;
}

/// The draw that chooses the action of the learner on random stream
/// `stream` at (episode, step).
MMSIM_HD inline r123::Philox4x32::ctr_type tabular_action_draw(const TabularParams& t, const FillProbParams& p,
                                                               std::uint64_t stream, std::uint64_t episode,
                                                               std::int64_t step) {
  return philox_draw(p.seed, stream, episode, static_cast<std::uint32_t>(step), t.action_purpose);
}

/// Whether learner `i` chooses its next action before updating, as the
/// notebook's SARSA loop (also its Expected SARSA) does, rather than at the
/// start of its next step, after the update (its Q-learning loop).
MMSIM_HD inline bool tabular_chooses_ahead(const TabularParams& t, const TabularLearnerViews& l, std::int64_t i) {
  return t.learns && static_cast<TabularAlgorithm>(l.algorithm[i]) != TabularAlgorithm::q_learning;
}

/// Enters learner `i`'s episode once its env has begun it: the state, the
/// episode's epsilon and, for SARSA, the first action. The env's episode
/// counter is the learner's.
MMSIM_HD inline void tabular_enter_episode(const TabularParams& t, const FillProbParams& p, const MarketView& m,
                                           const FillProbState& s, const FillProbOutputs& o,
                                           const TabularLearnerViews& l, std::int64_t i) {
  const std::int32_t state = fill_prob_state_index(m, s.row[i], s.position[i]);
  o.state_index[i] = state;
  l.epsilon_now[i] = tabular_epsilon(l.epsilon[i], l.epsilon_decay[i], t.epsilon_every, s.episode[i]);
  l.episode_reward[i] = 0;
  if (tabular_chooses_ahead(t, l, i)) {
    l.action[i] = tabular_choose(l.q + i * kTabularTable + state * kTabularActions, state, l.epsilon_now[i],
                                 t.actions, tabular_action_draw(t, p, l.stream[i], s.episode[i], 0));
  }
}

/// Begins learner `i`'s first episode.
MMSIM_HD inline void tabular_begin(const TabularParams& t, const FillProbParams& p, const MarketView& m,
                                   const WindowRanges& w, const FillProbState& s, const FillProbOutputs& o,
                                   const TabularLearnerViews& l, std::int64_t i) {
  fill_prob_begin_episode(p, w, s, i, l.stream[i]);
  tabular_enter_episode(t, p, m, s, o, l, i);
}

/// One step of learner `i`: choose, step its env, update Q(s, a) by its
/// rule (when the batch learns) and, at an episode's end, record the
/// episode's reward sum and begin the next. A terminated episode's target is
/// 0; a truncated one bootstraps from the state it ended in.
MMSIM_HD inline void tabular_step(const TabularParams& t, const FillProbParams& p, const MarketView& m,
                                  const WindowRanges& w, const FillProbState& s, const FillProbOutputs& o,
                                  const TabularLearnerViews& l, std::int64_t i) {
  const std::uint64_t stream = l.stream[i];
  const std::uint64_t episode = s.episode[i];
  const std::int64_t step = s.step[i];
  const double epsilon = l.epsilon_now[i];
  double* q = l.q + i * kTabularTable;
  const std::int32_t state = o.state_index[i];
  const bool ahead = tabular_chooses_ahead(t, l, i);
  const std::int32_t action =
      ahead ? l.action[i]
            : tabular_choose(q + state * kTabularActions, state, epsilon, t.actions,
                             tabular_action_draw(t, p, stream, episode, step));

  const FillProbTransition result = fill_prob_transition(p, m, w, s, o, i, stream, action);
  if (!result.ended) o.state_index[i] = fill_prob_state_index(m, s.row[i], s.position[i]);
  l.episode_reward[i] += result.reward;

  if (t.learns) {
    const std::int32_t next = result.ended ? o.final_state_index[i] : o.state_index[i];
    const double* q_next = q + next * kTabularActions;
    double target = 0;
    if (!result.terminated) {
      if (ahead) {
        // Chosen with the table before this update; taken next unless the episode ended.
        l.action[i] = tabular_choose(q_next, next, epsilon, t.actions,
                                     tabular_action_draw(t, p, stream, episode, step + 1));
      }
      switch (static_cast<TabularAlgorithm>(l.algorithm[i])) {
        case TabularAlgorithm::q_learning:
          target = tabular_max(q_next);
          break;
        case TabularAlgorithm::sarsa:
          target = q_next[l.action[i]];
          break;
        case TabularAlgorithm::expected_sarsa:
          target = tabular_expectation(q_next, epsilon);
          break;
      }
    }
    double& value = q[state * kTabularActions + action];
    value += l.step_size[i] * (result.reward + t.gamma * target - value);
  }

  if (result.ended) {
    if (episode < static_cast<std::uint64_t>(t.episodes)) l.curves[i * t.episodes + episode] = l.episode_reward[i];
    tabular_enter_episode(t, p, m, s, o, l, i);
  }
}

}  // namespace mmsim
