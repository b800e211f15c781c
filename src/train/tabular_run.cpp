// The tabular training run (docs/notebook.md): train the grid, evaluate it on
// the test split against the random and always-hold policies, and write the
// run's files.

#include <algorithm>
#include <utility>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>
#include <ostream>
#include <sstream>

#include "mmsim/config/market.hpp"
#include "mmsim/core/clock.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/core/files.hpp"
#include "mmsim/core/statistics.hpp"
#include "mmsim/train/tabular.hpp"

namespace mmsim {
namespace {

const char* const kPositionNames[] = {"flat", "short", "long"};
const char* const kActionNames[] = {"sell", "hold", "buy"};
const char kActionLetters[] = {'s', 'h', 'b'};

std::string fixed(double v, int digits = 2) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, v);
  return buffer;
}

/// The shortest of %.15g, %.16g, %.17g that reads back as `v`.
std::string number(double v) {
  char buffer[64];
  for (int digits = 15; digits <= 17; ++digits) {
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, v);
    if (std::strtod(buffer, nullptr) == v) break;
  }
  return buffer;
}

/// "q_learning alpha 0.05 eps 0.5 x0.5": a point's label.
std::string point_label(const TabularLearner& l) {
  return std::string(to_string(l.algorithm)) + " alpha " + number(l.step_size) + " eps " + number(l.epsilon) + " x" +
         number(l.epsilon_decay);
}

/// The learners of one point: [first, first + seeds).
struct Point {
  std::size_t first = 0;
  std::size_t seeds = 0;
};

std::vector<Point> points_of(const std::vector<TabularLearner>& learners, std::int64_t seeds) {
  std::vector<Point> points;
  for (std::size_t first = 0; first < learners.size(); first += static_cast<std::size_t>(seeds)) {
    points.push_back({first, static_cast<std::size_t>(seeds)});
  }
  return points;
}

std::string learner_columns(std::size_t index, const TabularLearner& l) {
  return std::to_string(index) + "," + to_string(l.algorithm) + "," + number(l.step_size) + "," + number(l.epsilon) +
         "," + number(l.epsilon_decay) + "," + std::to_string(l.seed_index);
}

/// Q tables whose every state prefers hold: the always-hold policy.
std::vector<double> hold_table() {
  std::vector<double> q(kTabularTable, 0.0);
  for (int state = 0; state < kTabularStates; ++state) {
    q[state * kTabularActions + static_cast<int>(FillProbAction::hold)] = 1.0;
  }
  return q;
}

/// The greedy actions of one state of a table: a bit per action at the maximum.
int greedy_mask(const double* q_state) {
  const double best = tabular_max(q_state);
  int mask = 0;
  for (int a = 0; a < kTabularActions; ++a) mask |= q_state[a] == best ? 1 << a : 0;
  return mask;
}

struct Training {
  std::vector<double> q, curves;
  double seconds = 0;
  std::int64_t learner_steps = 0;
};

Training train_grid(const TabularBatchSpec& spec, const TabularRunOptions& options, const std::vector<Point>& points,
               std::ostream& log) {
  std::unique_ptr<TabularBatch> batch = options.make_batch(spec);
  const std::int64_t episodes = spec.params.episodes;
  const std::int64_t steps = batch->episode_steps();
  const std::int64_t learners = batch->num_learners();
  log << "training " << learners << " learners x " << episodes << " episodes x " << steps << " steps on "
      << options.device << "\n";
  Training t;
  const double start = steady_seconds();
  double last_report = start;
  for (std::int64_t e = 0; e < episodes; ++e) {
    batch->run(steps);
    batch->check_faults();
    const double now = steady_seconds();
    if (now - last_report < 5.0 && e + 1 < episodes) continue;
    last_report = now;
    const std::vector<double> curves = batch->curves();
    std::ostringstream line;
    line << "  episode " << e + 1 << "/" << episodes << "  " << fixed(now - start, 1) << " s  "
         << fixed(static_cast<double>(learners * steps * (e + 1)) / (now - start) / 1e6, 1)
         << " M learner-steps/s  mean reward sum:";
    constexpr std::size_t kShown = 6;
    std::set<TabularAlgorithm> algorithms;
    for (const Point& p : points) algorithms.insert(spec.learners[p.first].algorithm);
    const bool one_point_per_algorithm = algorithms.size() == points.size();
    for (std::size_t n = 0; n < points.size() && n < kShown; ++n) {
      const Point& p = points[n];
      double sum = 0;
      for (std::size_t k = p.first; k < p.first + p.seeds; ++k) sum += curves[k * episodes + e];
      const TabularLearner& l = spec.learners[p.first];
      line << " " << (one_point_per_algorithm ? std::string(to_string(l.algorithm)) : point_label(l)) << " "
           << fixed(sum / p.seeds);
    }
    log << line.str() << (points.size() > kShown ? " ..." : "") << "\n";
  }
  t.seconds = steady_seconds() - start;
  t.learner_steps = learners * steps * episodes;
  t.q = batch->q_tables();
  t.curves = batch->curves();
  return t;
}

/// The test split's env with every episode closing its position, for
/// comparing policies by what they booked (evaluate() also plays it on the
/// validation split).
FillProbConfig test_env(const Config& config, FillProbStart start, std::int64_t length) {
  FillProbConfig env = config.fill_prob;
  env.split = EpisodeSplit::test;
  env.start = start;
  env.episode_end = FillProbEpisodeEnd::close;
  env.episode_length = length;
  return env;
}

/// Acting-only parameters of one episode per learner.
TabularParams acting_params(const TabularConfig& config, RngPurpose purpose) {
  TabularParams params = make_tabular_params(config);
  params.learns = 0;
  params.episodes = 1;
  params.action_purpose = purpose;
  return params;
}

/// A learner that acts greedily on its table: on hold_table() it always
/// holds; with `explores` it takes a uniformly random action every step.
TabularLearner baseline_learner(bool explores) { return {TabularAlgorithm::q_learning, 0, explores ? 1.0 : 0.0, 1, 0}; }

/// Evaluation windows are streams from here on, apart from the training
/// learners' seed indices (streams are 32-bit counters).
constexpr std::uint64_t kEvaluationStreams = std::uint64_t{1} << 31;

/// Every learner's greedy policy, the random policy and always-hold on the
/// same windows of a split (window w: stream kEvaluationStreams + w, so the windows
/// and the book's draws are common to all policies; the random policy's
/// actions have draws of their own).
struct Evaluation {
  std::vector<std::vector<double>> learner_pnl;  ///< [learners][windows]
  std::vector<double> random_pnl, hold_pnl;      ///< [windows]
  std::int64_t steps = 0;
};

Evaluation evaluate(const Config& config, const EnvData& data, EpisodeSplit split,
                    const std::vector<TabularLearner>& learners, const std::vector<double>& q) {
  const TabularConfig& tc = config.tabular;
  FillProbConfig env = test_env(config, FillProbStart::random_window, tc.eval_steps);
  env.split = split;
  const std::vector<double> hold = hold_table();
  const auto play = [&](const std::vector<std::pair<TabularLearner, const double*>>& policies, RngPurpose purpose) {
    TabularBatchSpec spec{data, env, acting_params(tc, purpose), {}, config.seed};
    std::vector<double> tables;
    for (const auto& [policy, table] : policies) {
      for (std::int64_t w = 0; w < tc.eval_windows; ++w) {
        TabularLearner window = policy;
        window.seed_index = kEvaluationStreams + static_cast<std::uint64_t>(w);
        spec.learners.push_back(window);
        tables.insert(tables.end(), table, table + kTabularTable);
      }
    }
    auto batch = make_tabular_cpu_batch(spec, static_cast<int>(tc.threads));
    batch->load_tables(tables);
    batch->run(batch->episode_steps());
    batch->check_faults();
    return std::make_pair(batch->curves(), batch->episode_steps());
  };
  std::vector<std::pair<TabularLearner, const double*>> greedy;
  for (std::size_t k = 0; k < learners.size(); ++k) {
    TabularLearner policy = learners[k];
    policy.epsilon = 0;
    greedy.push_back({policy, q.data() + k * kTabularTable});
  }
  greedy.push_back({baseline_learner(false), hold.data()});
  const auto [rewards, steps] = play(greedy, RngPurpose::action);
  Evaluation e;
  e.steps = steps;
  const auto windows = static_cast<std::size_t>(tc.eval_windows);
  for (std::size_t k = 0; k <= learners.size(); ++k) {
    std::vector<double> pnl(rewards.begin() + static_cast<std::ptrdiff_t>(k * windows),
                            rewards.begin() + static_cast<std::ptrdiff_t>((k + 1) * windows));
    (k < learners.size() ? e.learner_pnl.emplace_back() : e.hold_pnl) = std::move(pnl);
  }
  e.random_pnl = play({{baseline_learner(true), hold.data()}}, RngPurpose::random_policy).first;
  return e;
}

/// The greedy policies of each algorithm's first point (seed 0), always-hold
/// and the random policy over the test split's first range (the whole split
/// when it has one), step by step.
std::string pnl_path_csv(const Config& config, const EnvData& data, const std::vector<TabularLearner>& learners,
                         const std::vector<Point>& points, const std::vector<double>& q) {
  TabularBatchSpec spec{data,
                        test_env(config, FillProbStart::split_start, std::numeric_limits<std::int64_t>::max()),
                        acting_params(config.tabular, RngPurpose::action),
                        {},
                        config.seed};
  std::vector<std::string> names;
  std::vector<double> tables;
  std::vector<bool> seen(3, false);
  for (const Point& p : points) {
    const TabularLearner& l = learners[p.first];
    if (seen[static_cast<std::size_t>(l.algorithm)]) continue;
    seen[static_cast<std::size_t>(l.algorithm)] = true;
    TabularLearner greedy = l;
    greedy.epsilon = 0;
    spec.learners.push_back(greedy);
    names.push_back(std::string(to_string(l.algorithm)) + " (seed 0, greedy)");
    tables.insert(tables.end(), q.begin() + static_cast<std::ptrdiff_t>(p.first * kTabularTable),
                  q.begin() + static_cast<std::ptrdiff_t>((p.first + 1) * kTabularTable));
  }
  const std::vector<double> hold = hold_table();
  for (const bool random : {false, true}) {
    spec.learners.push_back(baseline_learner(random));
    names.push_back(random ? "random" : "always hold");
    tables.insert(tables.end(), hold.begin(), hold.end());
  }
  auto batch = make_tabular_cpu_batch(spec, 1);
  batch->load_tables(tables);
  std::ostringstream csv;
  csv << "policy,step,pnl,position\n";
  const std::int64_t steps = batch->episode_steps();
  for (std::int64_t step = 1; step <= steps; ++step) {
    batch->run(1);
    const std::vector<HostBuffer> buffers = batch->read_buffers();
    // The last step begins the next episode: its PnL is the ended episode's.
    const auto pnl = host_buffer_values<double>(buffers, step < steps ? "env_outputs.pnl" : "env_outputs.episode_pnl");
    const auto position = host_buffer_values<std::int32_t>(buffers, "env_outputs.position");
    for (std::size_t k = 0; k < names.size(); ++k) {
      const int held = step < steps ? position[k] : static_cast<int>(FillProbPosition::flat);
      csv << '"' << names[k] << "\"," << step << "," << number(pnl[k]) << "," << kPositionNames[held] << "\n";
    }
  }
  batch->check_faults();
  return csv.str();
}

std::string curves_csv(const std::vector<TabularLearner>& learners, const std::vector<double>& curves,
                       std::int64_t episodes) {
  std::ostringstream csv;
  csv << "learner,algorithm,step_size,epsilon,epsilon_decay,seed,episode,reward_sum\n";
  for (std::size_t k = 0; k < learners.size(); ++k) {
    const std::string columns = learner_columns(k, learners[k]);
    for (std::int64_t e = 0; e < episodes; ++e) {
      csv << columns << "," << e << "," << number(curves[k * episodes + e]) << "\n";
    }
  }
  return csv.str();
}

std::string q_values_csv(const std::vector<TabularLearner>& learners, const std::vector<double>& q) {
  std::ostringstream csv;
  csv << "learner,algorithm,step_size,epsilon,epsilon_decay,seed,position,bucket,action,value\n";
  for (std::size_t k = 0; k < learners.size(); ++k) {
    const std::string columns = learner_columns(k, learners[k]);
    for (int state = 0; state < kTabularStates; ++state) {
      for (int a = 0; a < kTabularActions; ++a) {
        csv << columns << "," << kPositionNames[state / kFillProbBuckets] << "," << state % kFillProbBuckets << ","
            << kActionNames[a] << "," << number(q[k * kTabularTable + state * kTabularActions + a]) << "\n";
      }
    }
  }
  return csv.str();
}

/// The notebook's policy printout per point: the greedy action most seeds
/// choose in each state ('=' where most seeds' maxima tie), with its share.
std::string policy_markdown(const std::vector<TabularLearner>& learners, const std::vector<Point>& points,
                            const std::vector<double>& q) {
  std::ostringstream out;
  out << "# Greedy policies\n\nIn each state (position x bucket k of q = bid depth / (bid depth + ask depth)): the "
         "greedy action most seeds learned (s sell, h hold, b buy, = a tie between actions) and the share of seeds "
         "that chose it.\n";
  for (const Point& p : points) {
    out << "\n## " << point_label(learners[p.first]) << " (" << p.seeds << " seeds)\n\n| position |";
    for (int k = 0; k < kFillProbBuckets; ++k) out << " k=" << k << " |";
    out << "\n|---|";
    for (int k = 0; k < kFillProbBuckets; ++k) out << "---|";
    out << "\n";
    for (int position = 0; position < 3; ++position) {
      out << "| " << kPositionNames[position] << " |";
      for (int k = 0; k < kFillProbBuckets; ++k) {
        const int state = position * kFillProbBuckets + k;
        std::map<int, int> votes;  // action, or 3 for a tie
        for (std::size_t s = p.first; s < p.first + p.seeds; ++s) {
          const int mask = greedy_mask(q.data() + s * kTabularTable + state * kTabularActions);
          const int vote = mask == 1 ? 0 : mask == 2 ? 1 : mask == 4 ? 2 : 3;
          ++votes[vote];
        }
        const auto top = std::max_element(votes.begin(), votes.end(),
                                          [](const auto& a, const auto& b) { return a.second < b.second; });
        out << " " << (top->first == 3 ? '=' : kActionLetters[top->first]) << " "
            << fixed(100.0 * top->second / static_cast<double>(p.seeds), 0) << "% |";
      }
      out << "\n";
    }
  }
  return out.str();
}

struct EvaluationTables {
  std::string markdown, csv;
};

/// Per algorithm, the point whose seeds' mean reward on the validation
/// windows is the highest: the selection the test table reports.
std::vector<bool> chosen_on_validation(const std::vector<TabularLearner>& learners, const std::vector<Point>& points,
                                       const Evaluation& validation) {
  std::vector<bool> chosen(points.size(), false);
  std::map<TabularAlgorithm, std::pair<double, std::size_t>> best;
  for (std::size_t n = 0; n < points.size(); ++n) {
    double sum = 0;
    for (std::size_t k = points[n].first; k < points[n].first + points[n].seeds; ++k) {
      sum += stats::mean(validation.learner_pnl[k]);
    }
    const double mean = sum / static_cast<double>(points[n].seeds);
    const TabularAlgorithm algorithm = learners[points[n].first].algorithm;
    const auto it = best.find(algorithm);
    if (it == best.end() || mean > it->second.first) best[algorithm] = {mean, n};
  }
  for (const auto& [algorithm, entry] : best) chosen[entry.second] = true;
  return chosen;
}

EvaluationTables evaluation_tables(const Config& config, const std::vector<TabularLearner>& learners,
                                   const std::vector<Point>& points, const Evaluation& e, EpisodeSplit split,
                                   const std::vector<bool>& chosen) {
  const std::uint64_t seed = config.seed;
  std::ostringstream md, csv;
  md << (split == EpisodeSplit::test ? "Test" : "Validation") << " split: " << config.tabular.eval_windows << " windows of " << e.steps
     << " steps, the same windows and book draws for every policy; an open position is closed at the window's "
        "end. Std over all windows: of every seed's windows together. Reward sum per window (PnL after costs), currency. Learned policies act greedily (ties at random); "
        "intervals are 95%: t across seeds, and a paired bootstrap over windows of the seeds' mean.\n\n";
  if (!chosen.empty()) {
    md << "Rows marked * are the point of each algorithm with the highest mean on the validation split (the only "
          "selection the test split reports).\n\n";
  }
  md << "| policy | seeds | mean | 95% CI across seeds | std over all windows | - random (seeds) | - random (windows) | "
        "- always hold (seeds) | - always hold (windows) |\n|---|---:|---:|---|---:|---|---|---|---|\n";
  const auto interval = [](double low, double high) { return "[" + fixed(low) + ", " + fixed(high) + "]"; };
  const auto difference = [&](double mean, double low, double high) {
    return fixed(mean) + " " + interval(low, high);
  };
  for (std::size_t n = 0; n < points.size(); ++n) {
    const Point& p = points[n];
    std::vector<const std::vector<double>*> per_seed;
    std::vector<double> all;
    for (std::size_t k = p.first; k < p.first + p.seeds; ++k) {
      per_seed.push_back(&e.learner_pnl[k]);
      all.insert(all.end(), e.learner_pnl[k].begin(), e.learner_pnl[k].end());
    }
    md << "| " << point_label(learners[p.first]) << (!chosen.empty() && chosen[n] ? " *" : "") << " | " << p.seeds
       << " | ";
    if (p.seeds >= 2) {
      const stats::SeedGroupStats g = stats::seed_group_stats(per_seed);
      md << fixed(g.across.mean) << " | " << interval(g.across.low, g.across.high) << " | "
         << fixed(stats::population_stddev(all)) << " |";
      for (const std::vector<double>* other : {&e.random_pnl, &e.hold_pnl}) {
        const stats::SeedGroupDifference d = stats::seed_group_difference(g, *other, seed);
        md << " " << difference(d.seeds.mean, d.seeds.low, d.seeds.high) << " | "
           << difference(d.windows.mean, d.windows.low, d.windows.high) << " |";
      }
    } else {
      md << fixed(stats::mean(all)) << " | - | " << fixed(stats::population_stddev(all)) << " |";
      for (const std::vector<double>* other : {&e.random_pnl, &e.hold_pnl}) {
        const stats::PairedDifference d = stats::paired_difference(all, *other, seed);
        md << " - | " << difference(d.mean, d.low, d.high) << " |";
      }
    }
    md << "\n";
  }
  for (const auto& [name, pnl] : {std::pair<const char*, const std::vector<double>*>{"random", &e.random_pnl},
                                  {"always hold", &e.hold_pnl}}) {
    md << "| " << name << " | - | " << fixed(stats::mean(*pnl)) << " | - | " << fixed(stats::population_stddev(*pnl))
       << " | | | | |\n";
  }
  csv << "policy,algorithm,step_size,epsilon,epsilon_decay,seed,window,reward_sum\n";
  for (std::size_t k = 0; k < learners.size(); ++k) {
    const TabularLearner& l = learners[k];
    for (std::size_t w = 0; w < e.learner_pnl[k].size(); ++w) {
      csv << "learned," << to_string(l.algorithm) << "," << number(l.step_size) << "," << number(l.epsilon) << ","
          << number(l.epsilon_decay) << "," << l.seed_index << "," << w << "," << number(e.learner_pnl[k][w]) << "\n";
    }
  }
  for (const auto& [name, pnl] : {std::pair<const char*, const std::vector<double>*>{"random", &e.random_pnl},
                                  {"always hold", &e.hold_pnl}}) {
    for (std::size_t w = 0; w < pnl->size(); ++w) csv << name << ",,,,,," << w << "," << number((*pnl)[w]) << "\n";
  }
  return {md.str(), csv.str()};
}

}  // namespace

std::filesystem::path run_tabular(const Config& config, const TabularRunOptions& options, std::ostream& log) {
  validate(config.tabular);
  validate(config.fill_prob);
  if (config.fill_prob.split == EpisodeSplit::test) {
    throw ConfigError("fill_prob.split", "'test': the learners are evaluated on the test split; train on train or "
                                         "validation");
  }
  const TabularConfig& tc = config.tabular;
  const MarketData market = load_market(config);
  const EnvData data = market.view();
  log << "data: " << market.loaded.book.rows() << " rows; train " << market.splits.train.rows() << ", test "
      << market.splits.test.rows() << "\n";

  const std::vector<TabularLearner> learners = tabular_grid(tc);
  const std::vector<Point> points = points_of(learners, tc.seeds);
  const TabularBatchSpec spec{data, config.fill_prob, make_tabular_params(tc), learners, config.seed};
  const Training t = train_grid(spec, options, points, log);
  log << "trained in " << fixed(t.seconds, 1) << " s: " << fixed(static_cast<double>(t.learner_steps) / t.seconds / 1e6, 2)
      << " M learner-steps/s (" << t.learner_steps << " learner-steps)\n";

  const Evaluation validation = evaluate(config, data, EpisodeSplit::validation, learners, t.q);
  const EvaluationTables validation_tables =
      evaluation_tables(config, learners, points, validation, EpisodeSplit::validation, {});
  const Evaluation evaluation = evaluate(config, data, EpisodeSplit::test, learners, t.q);
  const EvaluationTables tables = evaluation_tables(config, learners, points, evaluation, EpisodeSplit::test,
                                                    chosen_on_validation(learners, points, validation));
  const std::string policies = policy_markdown(learners, points, t.q);

  const std::filesystem::path dir = options.runs_dir / tc.name;
  std::filesystem::create_directories(dir);
  write_file(dir / "config.yaml", to_yaml(config));
  write_file(dir / "curves.csv", curves_csv(learners, t.curves, tc.episodes));
  write_file(dir / "q_values.csv", q_values_csv(learners, t.q));
  write_file(dir / "policy.md", policies);
  write_file(dir / "evaluation.csv", tables.csv);
  write_file(dir / "evaluation.md", tables.markdown);
  write_file(dir / "validation.csv", validation_tables.csv);
  write_file(dir / "validation.md", validation_tables.markdown);
  write_file(dir / "pnl_path.csv", pnl_path_csv(config, data, learners, points, t.q));

  std::ostringstream report;
  report << "# Tabular run " << tc.name << "\n\n"
         << learners.size() << " learners (" << points.size() << " points x " << tc.seeds << " seeds), "
         << tc.episodes << " episodes of " << t.learner_steps / static_cast<std::int64_t>(learners.size()) / tc.episodes
         << " steps on the " << to_string(config.fill_prob.split) << " split, trained on " << options.device << " in "
         << fixed(t.seconds, 1) << " s (" << fixed(static_cast<double>(t.learner_steps) / t.seconds / 1e6, 2)
         << " M learner-steps/s).\n\n## Evaluation\n\n"
         << tables.markdown << "\n## Validation\n\n" << validation_tables.markdown << "\n"
         << policies.substr(policies.find('\n') + 1)
         << "\nPlots (tools/plot_tabular.py): curves.png, policy.png, q_values.png, pnl_path.png.\n";
  write_file(dir / "report.md", report.str());
  log << "\n" << tables.markdown << "\nwrote " << dir.string() << "/ (report.md, curves.csv, q_values.csv, policy.md, "
      << "evaluation.md, evaluation.csv, validation.md, validation.csv, pnl_path.csv)\n";
  return dir;
}

}  // namespace mmsim
