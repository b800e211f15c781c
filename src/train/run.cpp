#include "mmsim/train/run.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <new>

#include "mmsim/core/clock.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/core/files.hpp"
#include "mmsim/core/printf_format.hpp"
#include "mmsim/core/statistics.hpp"
#include "mmsim/train/agent_policy.hpp"
#include "mmsim/train/device.hpp"
#include "mmsim/train/market.hpp"
#include "mmsim/train/trainer.hpp"

namespace mmsim::train {
namespace {

bool stop_requested(const RunOptions& options) {
  return options.stop != nullptr && options.stop->load();
}

/// A new run must not overwrite an earlier one.
void check_new_run_dir(const std::filesystem::path& run_dir) {
  if (std::filesystem::exists(run_dir / "checkpoint") || !checkpoint_leftovers(run_dir / "checkpoint").empty()) {
    throw Error("run directory " + run_dir.string() +
                " already holds a run: resume it to continue, or set train.name for a new one");
  }
}

/// In a run's best/ checkpoint: the update and the exact greedy validation
/// mean PnL that made it the best, read back when the run resumes.
constexpr const char* kBestScoreFile = "validation.txt";

/// Keys a resumed run may change: how long it trains, how it reports and
/// where it reads its cache, not what it learns from or how.
const char* const kResumableKeys[] = {"train.total_frames",          "train.run_dir",
                                      "train.name",                  "train.log_every_seconds",
                                      "train.metrics_every_updates", "train.checkpoint_every_updates",
                                      "train.dqn.checkpoint_buffer", "data.cache",
                                      "data.cache_dir"};

/// Throws Error naming every key, other than kResumableKeys, in which
/// `config` differs from the config.yaml the run in `run_dir` was trained with.
void check_resumable(const std::filesystem::path& run_dir, const Config& config) {
  const std::filesystem::path trained_with = run_dir / "config.yaml";
  if (!std::filesystem::exists(trained_with)) {
    throw Error("cannot resume " + run_dir.string() + ": it holds no config.yaml to compare the config with");
  }
  std::string changed;
  for (const KeyDifference& difference : config_differences(load_config(trained_with), config)) {
    const auto* const end = std::end(kResumableKeys);
    if (std::find(std::begin(kResumableKeys), end, difference.key) != end) continue;
    changed += "\n  " + difference.key + ": " + difference.before + " in the run, " + difference.after + " now";
  }
  if (changed.empty()) return;
  std::string resumable;
  for (const char* key : kResumableKeys) resumable += std::string(resumable.empty() ? "" : ", ") + key;
  throw Error("cannot resume " + run_dir.string() + " with a changed config (a resumed run continues what it " +
              "learnt, from the same data, with the same settings; only " + resumable + " may change):" + changed);
}

/// Keeps the header of the CSV log `file` and its whole rows up to update
/// `updates` (first column), so that a run resumed from the checkpoint of that
/// update continues one clean series: rows a killed run wrote after its last
/// checkpoint, and a last line cut short, go. Returns the rows removed.
std::int64_t keep_rows_through(const std::filesystem::path& file, std::int64_t updates) {
  std::ifstream in(file, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string kept;
  std::int64_t removed = 0;
  std::size_t begin = 0;
  for (bool header = true; begin < text.size(); header = false) {
    const std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) {
      ++removed;
      break;
    }
    const std::string line = text.substr(begin, end + 1 - begin);
    begin = end + 1;
    char* parsed_end = nullptr;
    const long long update = std::strtoll(line.c_str(), &parsed_end, 10);
    if (header || (parsed_end != line.c_str() && *parsed_end == ',' && update <= updates)) {
      kept += line;
    } else {
      ++removed;
    }
  }
  if (removed > 0) write_file_atomically(file, {kept});
  return removed;
}

/// `dir` without a trailing separator ("runs/a/best/" -> "runs/a/best"), so that its parent is its parent.
std::filesystem::path directory(const std::filesystem::path& dir) {
  return dir.has_filename() ? dir : dir.parent_path();
}

}  // namespace

eval::Protocol validation_protocol(const TrainConfig& train, std::uint64_t seed) {
  eval::Protocol protocol;
  protocol.split = EpisodeSplit::validation;
  protocol.windows = train.eval_windows;
  protocol.steps = train.eval_steps;
  // Not the run's own seed: the training episodes' starts are drawn with that.
  protocol.seed = seed + 1;
  return protocol;
}

namespace {

/// One training run: its directory, env batch, trainer, validation and logs.
/// Several runs go side by side by calling step() in turn; every call runs on
/// the run's own stream (RunStream), so on a GPU their work overlaps.
class TrainingRun {
 public:
  /// `prefix` starts each of the run's output lines (empty for a lone run).
  /// A new run's directory has been checked free (check_new_run_dir).
  /// `options` and `data` must outlive the run.
  TrainingRun(const Config& config, const RunOptions& options, const EnvData& data, std::string prefix,
              std::ostream& out)
      : config_(config),
        options_(options),
        data_(data),
        prefix_(std::move(prefix)),
        out_(out),
        stream_(options.cuda),
        run_dir_(options.resume.empty() ? run_dir_of(config) : options.resume),
        checkpoint_(run_dir_ / "checkpoint") {
    if (resuming() && !std::filesystem::is_directory(run_dir_)) {
      throw Error("run directory " + run_dir_.string() + " does not exist: there is nothing to resume");
    }
    std::error_code error;
    std::filesystem::create_directories(run_dir_, error);
    if (error) throw Error("cannot create the run directory " + run_dir_.string() + ": " + error.message());
    lock_ = std::make_unique<DirectoryLock>(run_dir_);
    // A resumed run writes nothing before its config and its checkpoint are checked.
    if (resuming()) {
      check_resumable(run_dir_, config_);
      recover_checkpoint(checkpoint_, [&](const std::string& line) { say(line); });
    }
    // Atomically: a resume that fails to write it keeps the run's config.yaml.
    write_file_atomically(run_dir_ / "config.yaml", {to_yaml(config)});
    stream_.run([&] { start(); });
  }

  bool done() const { return trainer_->frames() >= config_.train.total_frames || stop_requested(options_); }

  /// One update, then the metrics, checkpoint and validation that fall due.
  void step() {
    stream_.run([&] { update(); });
  }

  /// The final checkpoint, the finishing hook and the summary lines.
  RunOutcome finish() {
    stream_.run([&] { trainer_->save_checkpoint(checkpoint_); });
    say(format("%s after %lld updates (%lld frames); checkpoint %s\n",
               stop_requested(options_) ? "interrupted" : "finished", static_cast<long long>(trainer_->updates()),
               static_cast<long long>(trainer_->frames()), checkpoint_.string().c_str()));
    out_ << std::flush;
    if (options_.on_run_finished) options_.on_run_finished(run_dir_, out_);
    if (best_update_ >= 0) {
      say(format("best validation mean PnL %.2f at update %lld (random policy %.2f); checkpoint %s\n", best_mean_,
                 static_cast<long long>(best_update_), random_.mean, (run_dir_ / "best").string().c_str()));
    }
    RunOutcome outcome;
    outcome.run_dir = run_dir_;
    outcome.evaluated = best_update_ >= 0;
    outcome.best_validation_pnl = best_mean_;
    outcome.frames = trainer_->frames();
    return outcome;
  }

 private:
  void say(const std::string& line) { out_ << prefix_ << line << std::flush; }
  bool resuming() const { return !options_.resume.empty(); }

  void start() {
    // On the CPU, a batch that cannot fit is refused before it is allocated
    // (the system would fail the allocation, or kill the process, later).
    if (!options_.cuda) check_host_memory(data_, config_, available_host_memory());
    try {
      env_ = make_training_env(data_, config_, options_.cuda);
      trainer_ = std::make_unique<Trainer>(config_, *env_);
    } catch (const c10::OutOfMemoryError&) {
      throw Error(out_of_memory_message(data_, config_, true));
    } catch (const std::bad_alloc&) {
      throw host_memory_error(data_, config_, available_host_memory());
    } catch (const c10::Error& e) {
      // Torch's CPU allocator reports a failed allocation as a c10::Error of its own.
      if (std::string(e.what()).find("DefaultCPUAllocator") == std::string::npos) throw;
      throw host_memory_error(data_, config_, available_host_memory());
    }
    if (resuming()) {
      trainer_->load_checkpoint(checkpoint_);
      say("resumed " + run_dir_.string() + " at update " + std::to_string(trainer_->updates()) + " (" +
          std::to_string(trainer_->frames()) + " frames)\n");
      const std::string note = trainer_->algorithm().resume_note();
      if (!note.empty()) say("  " + note + "\n");
    }
    const TrainConfig& tc = config_.train;
    // Validation: the evaluation protocol on fixed windows of the validation
    // split (the same every time), the random policy once as the reference.
    if (tc.eval_every_updates > 0) {
      validation_ = validation_protocol(tc, config_.seed);
      if (resuming()) restore_best();
      validation_plan_ = eval::plan_windows(data_, config_.env, validation_);
      const std::unique_ptr<eval::Policy> random = eval::random_policy(validation_.seed, env_->action_count());
      random_ = eval::summarize(eval::run_policy(data_, config_.env, validation_, validation_plan_, *random));
      say(format("validation: %lld windows of %lld steps; random policy: mean PnL %.2f, std %.2f\n",
                 static_cast<long long>(tc.eval_windows), static_cast<long long>(validation_plan_.steps),
                 random_.mean, random_.stddev));
      const bool eval_append = resuming() && std::filesystem::exists(run_dir_ / "eval.csv");
      if (eval_append) keep_log_through_checkpoint(run_dir_ / "eval.csv");
      eval_log_.open(run_dir_ / "eval.csv", eval_append ? std::ios::app : std::ios::trunc);
      if (!eval_append) {
        append_line(eval_log_, run_dir_ / "eval.csv", "update,frames,policy,mean_pnl,std_pnl");
        append_line(eval_log_, run_dir_ / "eval.csv", format("0,0,random,%.6g,%.6g", random_.mean, random_.stddev));
      }
    }
    const bool append = resuming() && std::filesystem::exists(run_dir_ / "metrics.csv");
    if (append) keep_log_through_checkpoint(run_dir_ / "metrics.csv");
    metrics_.open(run_dir_ / "metrics.csv", append ? std::ios::app : std::ios::trunc);
    if (!append) {
      append_line(metrics_, run_dir_ / "metrics.csv", trainer_->metrics_header());
    }
    say("training " + std::to_string(tc.num_envs) + " envs x " + std::to_string(tc.rollout_steps) +
        " steps = " + std::to_string(trainer_->frames_per_update()) + " frames per update on " +
        (options_.cuda ? "the GPU" : "the CPU") + ", " + std::to_string(tc.total_frames) + " frames in all -> " +
        run_dir_.string() + "\n");
  }

  /// Cuts the log `file` of a resumed run back to the checkpoint's update, saying so when it removes rows.
  void keep_log_through_checkpoint(const std::filesystem::path& file) {
    const std::int64_t removed = keep_rows_through(file, trainer_->updates());
    if (removed > 0) {
      say(format("%s: removed %lld rows written after the checkpoint of update %lld\n", file.string().c_str(),
                 static_cast<long long>(removed), static_cast<long long>(trainer_->updates())));
    }
  }

  /// The best validation so far of a resumed run, so that only a better
  /// model replaces its best/ checkpoint.
  void restore_best() {
    const std::filesystem::path best = run_dir_ / "best";
    if (!std::filesystem::exists(best)) return;
    std::ifstream in(best / kBestScoreFile);
    std::string update_label, mean_label;
    long long update = -1;
    double mean = 0;
    if (in >> update_label >> update >> mean_label >> mean && update_label == "update" && mean_label == "mean_pnl" &&
        update >= 0 && std::isfinite(mean)) {
      best_update_ = update;
      best_mean_ = mean;
      say(format("best validation so far: mean PnL %.2f at update %lld (%s)\n", best_mean_, update,
                 best.string().c_str()));
      return;
    }
    say("warning: " + best.string() + " holds no readable validation score (" + kBestScoreFile +
        "): the next validation replaces it\n");
  }

  void update() {
    const TrainConfig& tc = config_.train;
    try {
      trainer_->update();
    } catch (const c10::OutOfMemoryError&) {
      throw Error(out_of_memory_message(data_, config_, true));
    }
    const bool last = trainer_->frames() >= tc.total_frames;
    if (trainer_->updates() % tc.metrics_every_updates == 0 || last) write_metrics(last);
    if (trainer_->updates() % tc.checkpoint_every_updates == 0) trainer_->save_checkpoint(checkpoint_);
    if (tc.eval_every_updates > 0 && (trainer_->updates() % tc.eval_every_updates == 0 || last)) validate();
  }

  void write_metrics(bool last) {
    const TrainMetrics m = trainer_->read_metrics();
    append_line(metrics_, run_dir_ / "metrics.csv", m.csv_row());
    if (!last && seconds_since(last_print_) < config_.train.log_every_seconds) return;
    last_print_ = SteadyClock::now();
    say(trainer_->describe(m) + "\n");
  }

  void validate() {
    const std::unique_ptr<eval::Policy> agent = agent_policy(trainer_->algorithm(), true, config_.seed);
    const eval::Summary greedy =
        eval::summarize(eval::run_policy(data_, config_.env, validation_, validation_plan_, *agent));
    append_line(eval_log_, run_dir_ / "eval.csv",
                format("%lld,%lld,greedy,%.6g,%.6g", static_cast<long long>(trainer_->updates()),
                       static_cast<long long>(trainer_->frames()), greedy.mean, greedy.stddev));
    const bool best = greedy.mean > best_mean_;
    if (best) {
      best_mean_ = greedy.mean;
      best_update_ = trainer_->updates();
      trainer_->save_checkpoint(run_dir_ / "best");
      const std::string score =
          format("update %lld\nmean_pnl %.17g\n", static_cast<long long>(best_update_), best_mean_);
      write_file_atomically(run_dir_ / "best" / kBestScoreFile, {score});
    }
    say(format("validation at update %lld: greedy mean PnL %.2f, std %.2f (random %.2f, %.2f)%s\n",
               static_cast<long long>(trainer_->updates()), greedy.mean, greedy.stddev, random_.mean,
               random_.stddev, best ? "  <- best so far, saved" : ""));
  }

  Config config_;
  const RunOptions& options_;
  EnvData data_;
  std::string prefix_;
  std::ostream& out_;
  RunStream stream_;
  std::filesystem::path run_dir_, checkpoint_;
  std::unique_ptr<DirectoryLock> lock_;  ///< no other process trains in run_dir_ while this run does
  std::unique_ptr<BatchEnv> env_;
  std::unique_ptr<Trainer> trainer_;
  eval::Protocol validation_;
  eval::WindowPlan validation_plan_;
  eval::Summary random_;  ///< the random policy on the validation windows
  std::ofstream eval_log_, metrics_;
  double best_mean_ = -1e300;
  std::int64_t best_update_ = -1;
  SteadyClock::time_point last_print_ = SteadyClock::now() - std::chrono::hours(1);
};

/// Trains `runs` side by side, one update of each in turn, until all are done.
std::vector<RunOutcome> train_side_by_side(std::vector<std::unique_ptr<TrainingRun>>& runs) {
  for (bool any = true; any;) {
    any = false;
    for (auto& run : runs) {
      if (run->done()) continue;
      run->step();
      any = true;
    }
  }
  std::vector<RunOutcome> outcomes;
  for (auto& run : runs) outcomes.push_back(run->finish());
  return outcomes;
}

/// One run of a plan of several seeds or sweep points.
struct PlannedRun {
  Config config;      ///< its seed and train.name set
  std::string label;  ///< what its output lines start with
  std::size_t point;  ///< its sweep point (0 without a sweep)
};

/// A sweep point's config, named `<name>-<point name>` (the base name without a sweep).
Config named_point(const Config& base, const SweepPoint& point) {
  Config named = point.config;
  named.train.name = point.name.empty() ? base.train.name : base.train.name + "-" + point.name;
  return named;
}

/// Every point times every seed, the points in order, a point's seeds together.
std::vector<PlannedRun> plan_runs(const Config& base, const std::vector<SweepPoint>& points, int seeds) {
  std::vector<PlannedRun> planned;
  for (std::size_t p = 0; p < points.size(); ++p) {
    const Config named = named_point(base, points[p]);
    for (int k = 0; k < seeds; ++k) {
      PlannedRun run{named, points[p].name, p};
      if (seeds > 1) {
        run.config.seed = named.seed + static_cast<std::uint64_t>(k);
        run.config.train.name = named.train.name + "-seed" + std::to_string(run.config.seed);
        run.label += (run.label.empty() ? "seed " : ", seed ") + std::to_string(run.config.seed);
      }
      planned.push_back(std::move(run));
    }
  }
  return planned;
}

/// The seed group `<name>-seeds/` of `config`, listing its seeds' runs.
void write_seed_group(const Config& config, const std::vector<PlannedRun>& planned, std::size_t point,
                      std::ostream& out) {
  const std::filesystem::path group = run_dir_of(config).string() + "-seeds";
  std::filesystem::create_directories(group);
  write_file(group / "config.yaml", to_yaml(config));
  std::string list;
  for (const PlannedRun& run : planned) {
    if (run.point == point) list += run.config.train.name + "\n";
  }
  write_file(group / kSeedRunsFile, list);
  out << "seed group: " << group.string() << " (its evaluation evaluates every seed)\n";
}

struct Spread {
  double mean = 0, stddev = 0, min = 0, max = 0;
};

Spread spread_of(const std::vector<double>& values) {
  return {stats::mean(values), stats::population_stddev(values), stats::minimum(values), stats::maximum(values)};
}

/// The sweep's table, best point first: printed, and written with the base
/// config to `<name>-sweep/`.
void write_sweep_table(const Config& base, const std::vector<SweepPoint>& points,
                       const std::vector<std::vector<double>>& best, int seeds, std::ostream& out) {
  const std::filesystem::path dir = run_dir_of(base).string() + "-sweep";
  std::filesystem::create_directories(dir);
  write_file(dir / "config.yaml", to_yaml(base));
  std::vector<std::size_t> order;
  for (std::size_t p = 0; p < points.size(); ++p) {
    if (!best[p].empty()) order.push_back(p);
  }
  if (order.empty()) {
    out << "no validation ran (train.eval_every_updates = 0): no sweep table\n";
    return;
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return spread_of(best[a]).mean > spread_of(best[b]).mean; });
  std::string csv = "run,settings,seeds,mean_best_pnl,std_best_pnl,min_best_pnl,max_best_pnl\n";
  out << "\nSweep: best validation mean PnL of each point" << (seeds > 1 ? " (mean and std across seeds)" : "")
      << ", best first\n\n| run | settings | best validation mean PnL | std across seeds |\n|---|---|---:|---:|\n";
  for (const std::size_t p : order) {
    const Spread spread = spread_of(best[p]);
    std::string settings;
    for (const std::string& setting : points[p].settings) settings += (settings.empty() ? "" : " ") + setting;
    const std::string name = named_point(base, points[p]).train.name;
    csv += format("%s,\"%s\",%zu,%.6g,%.6g,%.6g,%.6g\n", name.c_str(), settings.c_str(), best[p].size(), spread.mean,
                  spread.stddev, spread.min, spread.max);
    out << format("| %s | %s | %.2f | %s |\n", name.c_str(), settings.c_str(), spread.mean,
                  best[p].size() > 1 ? format("%.2f", spread.stddev).c_str() : "-");
  }
  write_file(dir / kSweepTableFile, csv);
  out << "\nsweep table: " << (dir / kSweepTableFile).string() << "\n";
}

}  // namespace

std::filesystem::path run_dir_of(const Config& config) {
  return std::filesystem::path(config.train.run_dir) / config.train.name;
}

TrainingReport train_runs(const Config& config, const RunOptions& options, std::ostream& out) {
  std::string reason;
  if (options.cuda && !cuda_training_available(&reason)) throw Error("CUDA training: " + reason);
  if (options.seeds < 1) throw Error("seeds: " + std::to_string(options.seeds) + " runs asked for; must be >= 1");
  const bool several = options.seeds > 1 || !options.sweep.empty();
  if (several && !options.resume.empty()) {
    throw Error("resuming continues one run: it cannot be combined with several seeds or a sweep");
  }
  const std::vector<SweepPoint> points =
      options.sweep.empty() ? std::vector<SweepPoint>{{{}, "", config}} : options.sweep;
  for (const SweepPoint& point : points) validate(point.config.env);
  const std::vector<PlannedRun> planned = plan_runs(config, points, options.seeds);
  if (options.resume.empty()) {
    for (const PlannedRun& run : planned) check_new_run_dir(run_dir_of(run.config));
  }
  const MarketData market = load_agent_market(config, options.cuda ? torch::kCUDA : torch::kCPU, out);
  const EnvData data = market.view();
  TrainingReport report;
  if (stop_requested(options)) {
    out << "interrupted before training started\n";
    report.stopped = true;
    return report;
  }
  if (!several) {
    std::vector<std::unique_ptr<TrainingRun>> runs;
    runs.push_back(std::make_unique<TrainingRun>(config, options, data, "", out));
    report.runs = train_side_by_side(runs);
    report.stopped = stop_requested(options);
    return report;
  }

  if (options.seeds > 1) {
    for (std::size_t p = 0; p < points.size(); ++p) write_seed_group(named_point(config, points[p]), planned, p, out);
  }
  std::vector<Config> configs;
  for (const PlannedRun& run : planned) configs.push_back(run.config);
  const std::vector<std::int64_t> groups = side_by_side_groups(data, configs, options.cuda);
  if (groups.size() > 1) {
    out << format("the %zu runs do not all fit side by side in the GPU's free memory: training them in %zu groups\n",
                  planned.size(), groups.size());
  } else {
    out << "training the " << planned.size() << " runs side by side, one update of each in turn"
        << (options.cuda ? ", each on its own CUDA stream" : "") << "\n";
  }
  const auto started = SteadyClock::now();
  std::size_t next = 0;
  for (const std::int64_t size : groups) {
    if (stop_requested(options)) break;
    std::vector<std::unique_ptr<TrainingRun>> runs;
    for (std::int64_t k = 0; k < size; ++k, ++next) {
      const PlannedRun& run = planned[next];
      runs.push_back(std::make_unique<TrainingRun>(run.config, options, data, "[" + run.label + "] ", out));
    }
    for (const RunOutcome& outcome : train_side_by_side(runs)) report.runs.push_back(outcome);
  }
  report.stopped = stop_requested(options);
  const double seconds = seconds_since(started);
  std::int64_t frames = 0;
  for (const RunOutcome& outcome : report.runs) frames += outcome.frames;
  out << format("%zu runs: %lld frames in %.1f s, %.0f frames/s in all\n", planned.size(),
                static_cast<long long>(frames), seconds, static_cast<double>(frames) / std::max(seconds, 1e-9));

  std::vector<std::vector<double>> best(points.size());
  for (std::size_t k = 0; k < report.runs.size(); ++k) {
    if (report.runs[k].evaluated) best[planned[k].point].push_back(report.runs[k].best_validation_pnl);
  }
  if (options.sweep.empty()) {
    if (!best[0].empty()) {
      const Spread spread = spread_of(best[0]);
      out << format("%d seeds: best validation mean PnL %.2f on average, std %.2f across seeds, min %.2f, max %.2f\n",
                    options.seeds, spread.mean, spread.stddev, spread.min, spread.max);
    }
  } else {
    write_sweep_table(config, points, best, options.seeds, out);
  }
  return report;
}

bool is_seed_group(const std::filesystem::path& dir) { return std::filesystem::exists(dir / kSeedRunsFile); }

std::vector<SeedRun> read_seed_group(const std::filesystem::path& group) {
  const std::filesystem::path dir = directory(group);
  std::ifstream list(dir / kSeedRunsFile);
  std::vector<SeedRun> runs;
  std::string line;
  while (std::getline(list, line)) {
    if (line.empty()) continue;
    const std::filesystem::path run = dir.parent_path() / line;
    if (!std::filesystem::exists(run / "config.yaml")) {
      throw Error("the seed group " + dir.string() + " lists " + line + ", which has no config.yaml");
    }
    runs.push_back({run, load_config(run / "config.yaml").seed});
  }
  if (runs.empty()) throw Error((dir / kSeedRunsFile).string() + " lists no runs");
  return runs;
}

std::filesystem::path checkpoint_config_path(const std::filesystem::path& checkpoint) {
  const std::filesystem::path dir = directory(checkpoint);
  return is_seed_group(dir) ? dir / "config.yaml" : dir.parent_path() / "config.yaml";
}

std::filesystem::path eval_report_dir(const std::filesystem::path& checkpoint, EpisodeSplit split) {
  const std::filesystem::path dir = directory(checkpoint);
  return (is_seed_group(dir) ? dir : dir.parent_path()) / "eval" / to_string(split);
}

std::filesystem::path run_checkpoint(const std::filesystem::path& run_dir) {
  for (const char* name : {"best", "checkpoint"}) {
    if (std::filesystem::exists(run_dir / name)) return run_dir / name;
  }
  throw Error("run " + run_dir.string() + " has no checkpoint (no best/ or checkpoint/ directory)");
}

std::vector<AgentCheckpoint> agent_checkpoints(const std::filesystem::path& checkpoint) {
  if (!is_seed_group(checkpoint)) return {{checkpoint, "agent"}};
  std::vector<AgentCheckpoint> agents;
  for (const SeedRun& run : read_seed_group(checkpoint)) {
    agents.push_back({run_checkpoint(run.run_dir), "agent seed " + std::to_string(run.seed)});
  }
  return agents;
}

}  // namespace mmsim::train
