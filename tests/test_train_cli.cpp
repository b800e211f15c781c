// `mmsim train --seeds K` and `--sweep` on the CPU: the runs train side by
// side, one update of each in turn, and each seed trains bit for bit as it
// would alone; a sweep covers its grid and ranks its points by the runs'
// validation results.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <sstream>
#include <thread>

#include "cli/sweep.hpp"
#include "mmsim/config/market.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/core/files.hpp"
#include "mmsim/core/printf_format.hpp"
#include "mmsim/eval/evaluation.hpp"
#include "mmsim/train/agent_policy.hpp"
#include "mmsim/train/trainer.hpp"
#include "mmsim/train/run.hpp"
#include "seed_group.hpp"
#include "test_util.hpp"
#include "tolerances.hpp"

namespace mmsim::test {
namespace {

TEST(TrainSeeds, EachSeedOfAGroupTrainsBitForBitAsItWouldAlone) {
  const TempDir dir;
  const std::string output = expect_group_seed_trains_as_alone(small_seed_group_config(dir.path()), "cpu", 0.0);
  EXPECT_NE(output.find("training the 2 runs side by side"), std::string::npos) << output;
  // Updates alternate between the seeds: seed 2's first validation comes before seed 1's second.
  const auto first_of_2 = output.find("[seed 2] validation at update 1:");
  const auto second_of_1 = output.find("[seed 1] validation at update 2:");
  ASSERT_NE(first_of_2, std::string::npos) << output;
  ASSERT_NE(second_of_1, std::string::npos) << output;
  EXPECT_LT(first_of_2, second_of_1);
  std::ifstream seeds_file(dir.path() / "group-seeds" / train::kSeedRunsFile);
  std::stringstream listed;
  listed << seeds_file.rdbuf();
  EXPECT_EQ(listed.str(), "group-seed1\ngroup-seed2\n");
}

TEST(TrainSeeds, AnExistingSeedRunIsRefusedBeforeAnythingIsWritten) {
  const TempDir dir;
  Config config = small_seed_group_config(dir.path());
  config.seed = 1;
  config.train.name = "taken";
  std::filesystem::create_directories(dir.path() / "taken-seed2" / "checkpoint");
  std::ostringstream out;
  try {
    cli::run_train(config, train_options("cpu", 2), out);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("taken-seed2 already holds a run"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "taken-seed1"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "taken-seeds"));
}

TEST(TrainSeeds, TheSeedGroupIsReadBackWithEachRunsSeed) {
  const TempDir dir;
  Config config = small_seed_group_config(dir.path());
  config.seed = 7;
  config.train.name = "read";
  config.train.total_frames = 256;
  config.train.eval_every_updates = 0;
  std::ostringstream out;
  ASSERT_EQ(cli::run_train(config, train_options("cpu", 2), out), 0) << out.str();
  const std::filesystem::path group = dir.path() / "read-seeds";
  ASSERT_TRUE(train::is_seed_group(group));
  const std::vector<train::SeedRun> runs = train::read_seed_group(group.string() + "/");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[1].seed, 8u);
  EXPECT_EQ(runs[1].run_dir, dir.path() / "read-seed8");
  // Without validation there is no best checkpoint: the latest one is evaluated.
  const std::vector<train::AgentCheckpoint> agents = train::agent_checkpoints(group);
  ASSERT_EQ(agents.size(), 2u);
  EXPECT_EQ(agents[0].name, "agent seed 7");
  EXPECT_EQ(agents[0].checkpoint, dir.path() / "read-seed7" / "checkpoint");
  EXPECT_EQ(train::checkpoint_config_path(group), group / "config.yaml");
  EXPECT_EQ(train::eval_report_dir(dir.path() / "read-seed7" / "checkpoint/", EpisodeSplit::validation),
            dir.path() / "read-seed7" / "eval" / "validation");

  std::filesystem::remove_all(dir.path() / "read-seed8" / "checkpoint");
  EXPECT_THROW(train::agent_checkpoints(group), Error);
  std::filesystem::remove(dir.path() / "read-seed8" / "config.yaml");
  EXPECT_THROW(train::read_seed_group(group), Error);
  std::ofstream(group / train::kSeedRunsFile) << "\n";
  try {
    train::read_seed_group(group);
    ADD_FAILURE() << "an empty group was read";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("lists no runs"), std::string::npos) << e.what();
  }
}

TEST(TrainRuns, AStopBeforeTrainingWritesNothingAndEachRunThatFinishesCallsTheHook) {
  const TempDir dir;
  Config config = small_seed_group_config(dir.path());
  config.train.name = "hooked";
  config.train.total_frames = 256;
  std::atomic<bool> stop{true};
  train::RunOptions options;
  options.stop = &stop;
  std::vector<std::filesystem::path> finished;
  options.on_run_finished = [&](const std::filesystem::path& run, std::ostream&) { finished.push_back(run); };
  std::ostringstream out;
  EXPECT_TRUE(train::train_runs(config, options, out).stopped);
  EXPECT_NE(out.str().find("interrupted before training started"), std::string::npos) << out.str();
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "hooked"));
  EXPECT_TRUE(finished.empty());

  stop = false;
  const train::TrainingReport report = train::train_runs(config, options, out);
  EXPECT_FALSE(report.stopped);
  ASSERT_EQ(report.runs.size(), 1u);
  EXPECT_EQ(report.runs[0].frames, 256);
  EXPECT_EQ(finished, std::vector<std::filesystem::path>{dir.path() / "hooked"});
}

/// The rows of a run's eval.csv, cells as written.
std::vector<std::vector<std::string>> eval_rows(const std::filesystem::path& run) {
  std::ifstream file(run / "eval.csv");
  std::string line;
  std::getline(file, line);
  std::vector<std::vector<std::string>> rows;
  while (std::getline(file, line)) {
    std::vector<std::string> cells;
    std::stringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

/// The best greedy validation mean PnL in a run's eval.csv.
double best_greedy(const std::filesystem::path& run) {
  double best = -1e300;
  for (const auto& cells : eval_rows(run)) {
    if (cells.size() == 5 && cells[2] == "greedy") best = std::max(best, std::stod(cells[3]));
  }
  return best;
}

TEST(TrainRuns, ValidationPlaysTheEvaluationProtocolOnTheWindowsAValidationEnvDraws) {
  const TempDir dir;
  Config config = small_seed_group_config(dir.path());
  config.train.name = "validated";
  config.train.eval_windows = 6;
  config.train.eval_steps = 200;
  std::ostringstream out;
  ASSERT_FALSE(train::train_runs(config, {}, out).stopped) << out.str();

  const MarketData market = load_market(config);
  const EnvData data = market.view();
  const eval::Protocol protocol = train::validation_protocol(config.train, config.seed);
  EXPECT_EQ(protocol.split, EpisodeSplit::validation);
  EXPECT_EQ(protocol.seed, config.seed + 1);
  const eval::WindowPlan plan = eval::plan_windows(data, config.env, protocol);
  ASSERT_EQ(plan.steps, 200);

  // A validation env as one was made before validation went through the
  // protocol: one env per window, seeded seed + 1, playing one episode. The
  // same fixed action earns the same PnL in each window only on the same rows.
  EnvConfig validation_env = config.env;
  validation_env.split = EpisodeSplit::validation;
  validation_env.curriculum.enabled = false;
  validation_env.episode_length = config.train.eval_steps;
  ASSERT_TRUE(validation_env.liquidate_at_end);
  const std::unique_ptr<BatchEnv> env = make_cpu_env(data, validation_env, protocol.windows, config.seed + 1);
  env->reset();
  // Action 0 quotes closest to the mid: it trades.
  const std::vector<std::int32_t> closest(static_cast<std::size_t>(protocol.windows), 0);
  for (std::int64_t step = 0; step < plan.steps; ++step) env->step(closest.data());
  const auto fixed = eval::fixed_action_policy(0, config.env.actions.front());
  const eval::PolicyResult protocol_result = eval::run_policy(data, config.env, protocol, plan, *fixed);
  double traded = 0;
  for (std::int64_t i = 0; i < protocol.windows; ++i) {
    EXPECT_EQ(env->outputs().terminated[i], 1) << "window " << i;
    EXPECT_EQ(env->outputs().episode_pnl[i], protocol_result.pnl[static_cast<std::size_t>(i)]) << "window " << i;
    traded += protocol_result.volume[static_cast<std::size_t>(i)];
  }
  EXPECT_GT(traded, 0.0) << "no window traded: equal PnLs would not tell the windows apart";

  // eval.csv: the random policy of the protocol's seed, then the greedy agent
  // at the last update, whose weights the final checkpoint holds.
  const std::vector<std::vector<std::string>> rows = eval_rows(dir.path() / "validated");
  ASSERT_GE(rows.size(), 2u);
  const auto random = eval::random_policy(protocol.seed, env->action_count());
  const eval::Summary random_summary = eval::summarize(eval::run_policy(data, config.env, protocol, plan, *random));
  EXPECT_EQ(rows.front()[2], "random");
  EXPECT_EQ(rows.front()[3], format("%.6g", random_summary.mean));
  EXPECT_EQ(rows.front()[4], format("%.6g", random_summary.stddev));
  const std::int64_t observation_size = env->observation_size();
  const auto agent = train::agent_policy(train::load_agent(dir.path() / "validated" / "checkpoint", config.train,
                                                           observation_size, env->action_count()),
                                         true, config.seed);
  const eval::Summary greedy = eval::summarize(eval::run_policy(data, config.env, protocol, plan, *agent));
  EXPECT_EQ(rows.back()[2], "greedy");
  EXPECT_EQ(rows.back()[1], std::to_string(config.train.total_frames));
  EXPECT_EQ(rows.back()[3], format("%.6g", greedy.mean));
  EXPECT_EQ(rows.back()[4], format("%.6g", greedy.stddev));
}

TEST(TrainRuns, SigtermStopsAfterTheCurrentUpdateAndWritesTheCheckpoint) {
  const TempDir dir;
  Config config = small_seed_group_config(dir.path());
  config.train.name = "terminated";
  config.train.total_frames = std::int64_t{1} << 40;
  config.train.eval_every_updates = 0;
  const std::filesystem::path metrics = dir.path() / "terminated" / "metrics.csv";
  // The signal comes once training has started (metrics.csv holds its first row), as a scheduler's would.
  std::thread scheduler([&] {
    for (int wait = 0; wait < 6000; ++wait) {
      const std::string text = read_text(metrics);
      if (std::count(text.begin(), text.end(), '\n') >= 2) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::raise(SIGTERM);
  });
  std::ostringstream out;
  const int status = cli::run_train(config, train_options("cpu", 1), out);
  scheduler.join();
  EXPECT_EQ(status, 128 + SIGTERM) << out.str();
  EXPECT_NE(out.str().find("interrupted after"), std::string::npos) << out.str();
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "terminated" / "checkpoint" / "trainer.txt")) << out.str();
  // The default action is back once the command returns.
  EXPECT_EQ(std::signal(SIGTERM, SIG_DFL), SIG_DFL);
}

const std::filesystem::path kQuickstart = std::filesystem::path(MMSIM_CONFIG_DIR) / "quickstart.yaml";

TEST(Sweep, PointsCoverTheGridWithTheFirstKeySlowest) {
  const std::vector<train::SweepPoint> points =
      cli::sweep_points(kQuickstart, {"train.num_envs=32"},
                        {"train.learning_rate=1e-4,1e-3", "env.actions=[[1,1,1,1]],[[2,2,1,1],[1,1,1,1]],[[3,3,1,1]]"});
  ASSERT_EQ(points.size(), 6u);
  EXPECT_EQ(points[1].settings,
            (std::vector<std::string>{"train.learning_rate=1e-4", "env.actions=[[2,2,1,1],[1,1,1,1]]"}));
  for (std::size_t p = 0; p < points.size(); ++p) {
    const Config& c = points[p].config;
    EXPECT_EQ(c.train.num_envs, 32) << "the --set overrides apply to every point";
    EXPECT_DOUBLE_EQ(c.train.learning_rate, p < 3 ? 1e-4 : 1e-3);
    const std::size_t table = p % 3;
    ASSERT_EQ(c.env.actions.size(), table == 1 ? 2u : 1u);
    EXPECT_DOUBLE_EQ(c.env.actions[0].bid_offset, table == 0 ? 1 : table == 1 ? 2 : 3);
  }
  // Plain values name the runs as they are, bracketed ones by their place in the list.
  EXPECT_EQ(points[1].name, "learning_rate=1e-4-actions=v2");
  EXPECT_EQ(points[5].name, "learning_rate=1e-3-actions=v3");
}

TEST(Sweep, KeysTheRunsCannotDifferInAndMalformedSweepsAreRefused) {
  const std::map<std::string, std::string> refused = {
      {"data.depth=5,6", "share one data set"},
      {"features.lstm=true,false", "share one data set"},
      {"seed=1,2", "use --seeds K"},
      {"train.name=a,b", "names its runs"},
      {"train.learning_rate=1e-4,,1e-3", "an empty value"},
      {"train.learning_rate", "expected KEY=V1,V2"},
  };
  for (const auto& [sweep, message] : refused) {
    try {
      cli::sweep_points(kQuickstart, {}, {sweep});
      ADD_FAILURE() << sweep << " was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << sweep << ": " << e.what();
    }
  }
  EXPECT_THROW(cli::sweep_points(kQuickstart, {}, {"train.gamma=0.9,0.99", "train.gamma=0.5,0.6"}), Error);
  try {
    cli::sweep_points(kQuickstart, {}, {"train.learning_rat=1e-4,1e-3"});
    ADD_FAILURE() << "an unknown key was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("train.learning_rat"), std::string::npos) << e.what();
  }
}

TEST(Sweep, TheLibraryGridRefusesWhatTheRunsCannotDifferIn) {
  EXPECT_EQ(train::sweep_key_rule("data.depth"), train::SweepKeyRule::shared_data);
  EXPECT_EQ(train::sweep_key_rule("lstm"), train::SweepKeyRule::shared_data);
  EXPECT_EQ(train::sweep_key_rule("seed"), train::SweepKeyRule::seed);
  EXPECT_EQ(train::sweep_key_rule("train.run_dir"), train::SweepKeyRule::run_name);
  EXPECT_EQ(train::sweep_key_rule("train.learning_rate"), train::SweepKeyRule::allowed);
  EXPECT_EQ(train::sweep_key_rule("splitting"), train::SweepKeyRule::allowed);
  const std::map<std::string, std::vector<train::SweepAxis>> refused = {
      {"share their data", {{"features.depth", {"2", "3"}}}},
      {"no values", {{"train.gamma", {}}}},
      {"an empty value", {{"train.gamma", {"0.9", ""}}}},
      {"given twice", {{"train.gamma", {"0.9"}}, {"train.gamma", {"0.5"}}}},
  };
  for (const auto& [message, axes] : refused) {
    try {
      train::sweep_grid(kQuickstart, {}, axes);
      ADD_FAILURE() << message << ": accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  }
}

TEST(Sweep, EachPointTrainsWithItsSettingsAndTheTableRanksThem) {
  const TempDir dir;
  Config base = small_seed_group_config(dir.path());
  base.train.name = "sweep";
  cli::TrainOptions options = train_options("cpu", 1);
  const std::string run_dir = "train.run_dir=" + dir.path().string();
  options.sweep = cli::sweep_points(kQuickstart,
                                    {"data.cache=false", run_dir, "train.num_envs=32", "train.rollout_steps=8",
                                     "train.total_frames=1024", "train.eval_every_updates=1", "train.eval_windows=4",
                                     "train.eval_steps=20", "train.metrics_every_updates=1"},
                                    {"train.learning_rate=1e-2,1e-5"});
  std::ostringstream out;
  ASSERT_EQ(cli::run_train(base, options, out), 0) << out.str();
  for (const auto& [name, rate] : std::map<std::string, double>{{"sweep-learning_rate=1e-2", 1e-2},
                                                                  {"sweep-learning_rate=1e-5", 1e-5}}) {
    EXPECT_DOUBLE_EQ(load_config(dir.path() / name / "config.yaml").train.learning_rate, rate) << name;
  }
  std::ifstream table(dir.path() / "sweep-sweep" / train::kSweepTableFile);
  std::string line;
  std::getline(table, line);
  EXPECT_EQ(line, "run,settings,seeds,mean_best_pnl,std_best_pnl,min_best_pnl,max_best_pnl");
  std::vector<double> ranked;
  while (std::getline(table, line)) {
    const std::string name = line.substr(0, line.find(','));
    std::vector<std::string> cells;
    std::stringstream row(line.substr(line.rfind('"') + 2));
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    ASSERT_EQ(cells.size(), 5u) << line;
    EXPECT_EQ(cells[0], "1");
    // The table's number is the run's best validation result, to its 6 printed digits.
    const double best = best_greedy(dir.path() / name);
    EXPECT_NEAR(std::stod(cells[1]), best, kSixDigits * (1 + std::abs(best))) << name;
    ranked.push_back(std::stod(cells[1]));
  }
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_GE(ranked[0], ranked[1]);
  EXPECT_NE(out.str().find("| sweep-learning_rate=1e-"), std::string::npos) << out.str();
}

TEST(TrainRuns, AResumedRunReplacesItsBestCheckpointOnlyWithABetterOne) {
  const TempDir dir;
  Config config = small_seed_group_config(dir.path());
  config.train.name = "kept";
  config.train.total_frames = 2 * 32 * 8;
  std::ostringstream first;
  ASSERT_FALSE(train::train_runs(config, {}, first).stopped) << first.str();
  const std::filesystem::path run = dir.path() / "kept";
  std::ifstream score_file(run / "best" / "validation.txt");
  std::string update_label, mean_label;
  long long update = 0;
  double mean = 0;
  ASSERT_TRUE(score_file >> update_label >> update >> mean_label >> mean) << first.str();
  // The exact score behind eval.csv's best greedy row (printed with 6 digits).
  EXPECT_EQ(format("%.6g", mean), format("%.6g", best_greedy(run)));

  // A score no validation of the resumed run can beat: best/ must stay as it is.
  std::ofstream(run / "best" / "validation.txt") << "update " << update << "\nmean_pnl 1e9\n";
  const std::string before = read_text(run / "best" / "trainer.txt");
  config.train.total_frames = 4 * 32 * 8;
  train::RunOptions resume;
  resume.resume = run;
  std::ostringstream second;
  ASSERT_FALSE(train::train_runs(config, resume, second).stopped) << second.str();
  EXPECT_EQ(read_text(run / "best" / "trainer.txt"), before);
  EXPECT_NE(second.str().find("best validation so far: mean PnL 1000000000.00 at update " + std::to_string(update)),
            std::string::npos)
      << second.str();
  EXPECT_EQ(second.str().find("<- best so far, saved"), std::string::npos) << second.str();

  // An unreadable score is named, and the next validation replaces best/.
  std::ofstream(run / "best" / "validation.txt") << "garbage";
  config.train.total_frames = 5 * 32 * 8;
  std::ostringstream third;
  ASSERT_FALSE(train::train_runs(config, resume, third).stopped) << third.str();
  EXPECT_NE(third.str().find("holds no readable validation score"), std::string::npos) << third.str();
  EXPECT_NE(third.str().find("<- best so far, saved"), std::string::npos) << third.str();
}

TEST(TrainRuns, LeftoversOfAnInterruptedSaveAreARunAndAResumeOfNothingCreatesNothing) {
  const TempDir dir;
  Config config = small_seed_group_config(dir.path());
  config.train.name = "aside";
  // Only the checkpoint kept aside by an interrupted save: a fresh run would delete it.
  std::filesystem::create_directories(dir.path() / "aside" / "checkpoint.old");
  std::ostringstream out;
  try {
    train::train_runs(config, {}, out);
    ADD_FAILURE() << "a new run started over an interrupted one";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("already holds a run"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "aside" / "checkpoint.old"));

  train::RunOptions resume;
  resume.resume = dir.path() / "never-trained";
  EXPECT_THROW(train::train_runs(config, resume, out), Error);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "never-trained"));
}

TEST(TrainRuns, AResumeAfterAKillContinuesOneCleanSeriesOfMetrics) {
  const TempDir dir;
  Config config = small_seed_group_config(dir.path());
  config.train.total_frames = 4 * 32 * 8;
  config.train.name = "straight";
  std::ostringstream out;
  ASSERT_FALSE(train::train_runs(config, {}, out).stopped) << out.str();

  // The same run killed after update 4's rows were written but while its
  // checkpoint still held update 2, with a last row cut short.
  config.train.name = "killed";
  config.train.total_frames = 2 * 32 * 8;
  ASSERT_FALSE(train::train_runs(config, {}, out).stopped) << out.str();
  const std::filesystem::path killed = dir.path() / "killed";
  std::filesystem::copy(killed / "checkpoint", dir.path() / "update2", std::filesystem::copy_options::recursive);
  config.train.total_frames = 4 * 32 * 8;
  train::RunOptions resume;
  resume.resume = killed;
  ASSERT_FALSE(train::train_runs(config, resume, out).stopped) << out.str();
  std::filesystem::remove_all(killed / "checkpoint");
  std::filesystem::rename(dir.path() / "update2", killed / "checkpoint");
  std::ofstream(killed / "metrics.csv", std::ios::app) << "5,1280,12.5,3";

  std::ostringstream resumed;
  ASSERT_FALSE(train::train_runs(config, resume, resumed).stopped) << resumed.str();
  EXPECT_NE(resumed.str().find("metrics.csv: removed 3 rows written after the checkpoint of update 2"),
            std::string::npos)
      << resumed.str();
  EXPECT_NE(resumed.str().find("eval.csv: removed 2 rows written after the checkpoint of update 2"),
            std::string::npos)
      << resumed.str();
  // Resumed bit for bit: the same series as the run that was never killed.
  expect_same_metrics(run_metrics(killed), run_metrics(dir.path() / "straight"), 0.0);
  EXPECT_EQ(read_text(killed / "eval.csv"), read_text(dir.path() / "straight" / "eval.csv"));
}

TEST(TrainRuns, ASecondTrainingInTheSameRunDirectoryIsRefused) {
  const TempDir dir;
  Config config = small_seed_group_config(dir.path());
  config.train.name = "busy";
  config.train.total_frames = 32 * 8;
  std::filesystem::create_directories(dir.path() / "busy");
  std::ostringstream out;
  {
    const DirectoryLock other_process(dir.path() / "busy");
    try {
      train::train_runs(config, {}, out);
      ADD_FAILURE() << "trained in a directory another training holds";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("busy is in use by another mmsim process (process " +
                                           std::to_string(::getpid()) + ")"),
                std::string::npos)
          << e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "busy" / "metrics.csv"));
  }
  EXPECT_FALSE(train::train_runs(config, {}, out).stopped) << out.str();
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "busy" / "checkpoint"));
}

TEST(TrainRuns, AResumeWithAChangedConfigIsRefusedBeforeAnythingIsWritten) {
  const TempDir dir;
  Config config = small_seed_group_config(dir.path());
  config.train.name = "changed";
  config.train.total_frames = 32 * 8;
  std::ostringstream out;
  ASSERT_FALSE(train::train_runs(config, {}, out).stopped) << out.str();
  const std::filesystem::path run = dir.path() / "changed";
  const std::string config_before = read_text(run / "config.yaml"), metrics_before = read_text(run / "metrics.csv");

  Config changed = config;
  changed.train.gamma = 0.5;
  changed.env.actions.pop_back();
  changed.train.total_frames = 2 * 32 * 8;
  train::RunOptions resume;
  resume.resume = run;
  try {
    train::train_runs(changed, resume, out);
    ADD_FAILURE() << "resumed with another gamma and action table";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("train.gamma: " + format("%g", config.train.gamma) + " in the run, 0.5 now"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("env.actions: "), std::string::npos) << what;
    EXPECT_EQ(what.find("train.total_frames:"), std::string::npos) << what;
  }
  EXPECT_EQ(read_text(run / "config.yaml"), config_before);
  EXPECT_EQ(read_text(run / "metrics.csv"), metrics_before);

  // Only what may change: it resumes, and config.yaml says how long it now trains.
  Config longer = config;
  longer.train.total_frames = 2 * 32 * 8;
  longer.train.log_every_seconds = 1;
  ASSERT_FALSE(train::train_runs(longer, resume, out).stopped) << out.str();
  EXPECT_EQ(load_config(run / "config.yaml").train.total_frames, 2 * 32 * 8);
}

TEST(TrainRuns, AFailedLogWriteStopsTrainingWithTheFileAndTheReason) {
  const TempDir dir;
  Config config = small_seed_group_config(dir.path());
  config.train.name = "full";
  config.train.total_frames = 2 * 32 * 8;
  std::filesystem::create_directories(dir.path() / "full");
  // Every write to /dev/full fails as on a full disk.
  std::filesystem::create_symlink("/dev/full", dir.path() / "full" / "metrics.csv");
  std::ostringstream out;
  try {
    train::train_runs(config, {}, out);
    ADD_FAILURE() << "trained on while metrics.csv could not be written";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot write " + (dir.path() / "full" / "metrics.csv").string() +
                                         ": No space left on device"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "full" / "checkpoint"));
}

TEST(TrainRuns, ABatchBeyondHostMemoryAndAnUncreatableRunDirectoryNameTheKeyOrThePath) {
  const TempDir dir;
  Config config = small_seed_group_config(dir.path());
  config.train.name = "huge";
  config.train.num_envs = 1000000000;
  std::ostringstream out;
  try {
    train::train_runs(config, {}, out);
    ADD_FAILURE() << "a billion envs were allocated";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "train.num_envs");
    const std::string what = e.what();
    EXPECT_NE(what.find("1000000000 envs need about"), std::string::npos) << what;
    EXPECT_NE(what.find("envs fit"), std::string::npos) << what;
  }

  // One env's rollout, the network or the replay buffer alone beyond memory: the key that makes it so.
  const auto expect_refused_for = [&](const std::function<void(Config&)>& change, const std::string& key,
                                      const std::string& part) {
    Config huge = small_seed_group_config(dir.path());
    change(huge);
    try {
      train::train_runs(huge, {}, out);
      ADD_FAILURE() << "allocated what " << key << " makes too large";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), key) << e.what();
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  expect_refused_for([](Config& c) { c.train.rollout_steps = std::int64_t{1} << 40; }, "train.rollout_steps",
                     "envs fit");
  expect_refused_for([](Config& c) { c.train.network.shared = 1 << 30; }, "train.network", "envs fit");
  expect_refused_for(
      [](Config& c) {
        c.train.algorithm = train::AlgorithmKind::dqn;
        c.train.dqn.buffer_size = 1000000000;
      },
      "train.dqn.buffer_size", "replay buffer");

  // A path under a regular file cannot be created, whoever runs the test.
  std::ofstream(dir.path() / "plain-file") << "x";
  config = small_seed_group_config(dir.path() / "plain-file" / "runs");
  try {
    train::train_runs(config, {}, out);
    ADD_FAILURE() << "trained into a directory that cannot exist";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot create the run directory " +
                                         (dir.path() / "plain-file" / "runs" / config.train.name).string()),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace mmsim::test
