#include "cli/train.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "mmsim/core/printf_format.hpp"
#include "cli/python_tool.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/data/features.hpp"
#include "mmsim/data/load.hpp"
#include "mmsim/train/device.hpp"
#include "mmsim/train/evaluate.hpp"
#include "mmsim/train/lstm.hpp"
#include "mmsim/train/trainer.hpp"

namespace mmsim::cli {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void on_interrupt(int) { g_interrupted = true; }

std::string number_or_dash(double v, const char* pattern) { return std::isnan(v) ? std::string("-") : format(pattern, v); }

/// Writes TensorBoard event files for the run with tools/metrics_to_tensorboard.py, or says how to.
void write_tensorboard(const std::filesystem::path& run_dir, std::ostream& out) {
  std::string command;
  if (run_python_tool("metrics_to_tensorboard.py", run_dir, &command)) return;
  out << "TensorBoard files not written (needs the Python environment of tools/setup.sh): " << command << "\n";
}


struct RunOutcome {
  int exit_code = 0;
  bool evaluated = false;
  double best_validation_pnl = 0;
};

RunOutcome train_one(const Config& config, const TrainOptions& options, std::ostream& out);

}  // namespace

int run_train(const Config& config, const TrainOptions& options, std::ostream& out) {
  if (options.seeds < 1) throw Error("--seeds " + std::to_string(options.seeds) + ": must be >= 1");
  if (options.seeds > 1 && !options.resume.empty()) throw Error("--seeds and --resume cannot be combined");
  if (options.seeds == 1) return train_one(config, options, out).exit_code;
  // The group's directory lets `mmsim eval --checkpoint` find every seed's run.
  const std::filesystem::path group = std::filesystem::path(config.train.run_dir) / (config.train.name + "-seeds");
  std::filesystem::create_directories(group);
  {
    std::ofstream effective(group / "config.yaml");
    effective << to_yaml(config);
    std::ofstream list(group / kSeedRunsFile);
    for (int k = 0; k < options.seeds; ++k) {
      list << config.train.name << "-seed" << config.seed + static_cast<std::uint64_t>(k) << "\n";
    }
    if (!effective || !list) throw Error("cannot write the seed group " + group.string());
  }
  out << "seed group: " << group.string() << " (mmsim eval --checkpoint " << group.string() << " evaluates every seed)\n";
  std::vector<double> best;
  for (int k = 0; k < options.seeds; ++k) {
    Config seeded = config;
    seeded.seed = config.seed + static_cast<std::uint64_t>(k);
    seeded.train.name = config.train.name + "-seed" + std::to_string(seeded.seed);
    out << "=== seed " << seeded.seed << " (" << k + 1 << " of " << options.seeds << ") ===\n";
    const RunOutcome outcome = train_one(seeded, options, out);
    if (outcome.exit_code != 0) return outcome.exit_code;
    if (outcome.evaluated) best.push_back(outcome.best_validation_pnl);
  }
  if (!best.empty()) {
    double mean = 0, squares = 0;
    for (double v : best) mean += v;
    mean /= static_cast<double>(best.size());
    for (double v : best) squares += (v - mean) * (v - mean);
    out << format("%d seeds: best validation mean PnL %.2f on average, std %.2f across seeds, min %.2f, max %.2f\n",
                  options.seeds, mean, std::sqrt(squares / static_cast<double>(best.size())),
                  *std::min_element(best.begin(), best.end()), *std::max_element(best.begin(), best.end()));
  }
  return 0;
}

namespace {

RunOutcome train_one(const Config& config, const TrainOptions& options, std::ostream& out) {
  const bool cuda = options.device == "cuda";
  if (cuda) {
    std::string reason;
    if (!train::cuda_training_available(&reason)) {
      throw Error("--device cuda: " + reason + "; --device cpu trains on the CPU");
    }
  }
  validate(config.env);
  const train::TrainConfig& tc = config.train;
  const std::filesystem::path run_dir = options.resume.empty()
                                            ? std::filesystem::path(tc.run_dir) / tc.name
                                            : std::filesystem::path(options.resume);
  const std::filesystem::path checkpoint = run_dir / "checkpoint";
  if (options.resume.empty() && std::filesystem::exists(checkpoint)) {
    throw Error("run directory " + run_dir.string() + " already holds a run: --resume " + run_dir.string() +
                " continues it, or set train.name for a new one");
  }
  std::filesystem::create_directories(run_dir);
  {
    std::ofstream effective(run_dir / "config.yaml");
    effective << to_yaml(config);
    if (!effective) throw Error("cannot write " + (run_dir / "config.yaml").string());
  }

  const LoadedBook loaded = config.data.use_cache ? load_book(config.data.load, cache_dir_of(config))
                                                  : load_book_uncached(config.data.load);
  FeatureTable table = compute_features_cpu(loaded.book, config.features);
  Splits splits = make_splits(loaded.book, table.layout.warmup_rows(), config.split);
  normalise_features(table, splits.train);
  if (config.features.lstm) {
    // The forecaster runs on the training device (cuDNN on a GPU) when its columns are not cached yet.
    const torch::Device device = cuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    splits = train::add_lstm_features(config, loaded.book, table, splits, device, out);
  }
  const EnvData data{&loaded.book, &table, &splits};
  auto env = train::make_training_env(data, config, cuda);
  std::unique_ptr<train::Trainer> trainer_storage;
  try {
    trainer_storage = std::make_unique<train::Trainer>(config, *env);
  } catch (const c10::OutOfMemoryError&) {
    throw Error(train::out_of_memory_message(data, config, true));
  }
  train::Trainer& trainer = *trainer_storage;
  if (!options.resume.empty()) {
    trainer.load_checkpoint(checkpoint);
    out << "resumed " << run_dir.string() << " at update " << trainer.updates() << " (" << trainer.frames()
        << " frames)\n";
  }

  // Validation: fixed windows (the same every time), the random policy once as the reference.
  std::unique_ptr<BatchEnv> eval_env;
  train::EvalResult random_result;
  std::ofstream eval_log;
  double best_mean = -1e300;
  std::int64_t best_update = -1;
  if (tc.eval_every_updates > 0) {
    EnvConfig eval_config = config.env;
    eval_config.split = EpisodeSplit::validation;
    eval_config.curriculum.enabled = false;
    eval_config.episode_length = tc.eval_steps;
    eval_env = make_cpu_env(data, eval_config, tc.eval_windows, config.seed + 1);
    random_result = train::evaluate(*eval_env, train::random_policy(config.seed, env->action_count()));
    out << format("validation: %lld windows of %lld steps; random policy: mean PnL %.2f, std %.2f\n",
                  static_cast<long long>(tc.eval_windows), static_cast<long long>(eval_env->params().initial_length <
                                                                                        eval_env->params().cap
                                                                                    ? eval_env->params().initial_length
                                                                                    : eval_env->params().cap),
                  random_result.mean, random_result.stddev);
    const bool eval_append = !options.resume.empty() && std::filesystem::exists(run_dir / "eval.csv");
    eval_log.open(run_dir / "eval.csv", eval_append ? std::ios::app : std::ios::trunc);
    if (!eval_append) {
      eval_log << "update,frames,policy,mean_pnl,std_pnl\n";
      eval_log << format("0,0,random,%.6g,%.6g\n", random_result.mean, random_result.stddev);
    }
  }
  auto run_evaluation = [&]() {
    const train::EvalResult greedy = train::evaluate(*eval_env, train::greedy_policy(trainer.network()));
    eval_log << format("%lld,%lld,greedy,%.6g,%.6g\n", static_cast<long long>(trainer.updates()),
                       static_cast<long long>(trainer.frames()), greedy.mean, greedy.stddev);
    eval_log.flush();
    const bool best = greedy.mean > best_mean;
    if (best) {
      best_mean = greedy.mean;
      best_update = trainer.updates();
      trainer.save_checkpoint(run_dir / "best");
    }
    out << format("validation at update %lld: greedy mean PnL %.2f, std %.2f (random %.2f, %.2f)%s\n",
                  static_cast<long long>(trainer.updates()), greedy.mean, greedy.stddev, random_result.mean,
                  random_result.stddev, best ? "  <- best so far, saved" : "");
  };

  const bool append = !options.resume.empty() && std::filesystem::exists(run_dir / "metrics.csv");
  std::ofstream metrics(run_dir / "metrics.csv", append ? std::ios::app : std::ios::trunc);
  if (!append) {
    metrics << "update,frames,frames_per_second,episodes,episode_pnl,episode_length,reward,advantage,value,"
               "policy_loss,value_loss,entropy,total_loss,gradient_l2,gradient_max,gradient_variance,"
               "learning_rate,epsilon,beta\n";
  }
  out << "training " << tc.num_envs << " envs x " << tc.rollout_steps << " steps = " << trainer.frames_per_update()
      << " frames per update on " << (cuda ? "the GPU" : "the CPU") << ", " << tc.total_frames << " frames in all -> " << run_dir.string() << "\n";

  g_interrupted = false;
  const auto previous = std::signal(SIGINT, on_interrupt);
  auto last_print = std::chrono::steady_clock::now() - std::chrono::hours(1);
  while (trainer.frames() < tc.total_frames && !g_interrupted) {
    try {
      trainer.update();
    } catch (const c10::OutOfMemoryError&) {
      std::signal(SIGINT, previous);
      throw Error(train::out_of_memory_message(data, config, true));
    }
    const bool last = trainer.frames() >= tc.total_frames;
    if (trainer.updates() % tc.metrics_every_updates == 0 || last) {
      const train::TrainMetrics m = trainer.read_metrics();
      metrics << format("%lld,%lld,%.1f,%lld,%s,%s,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g\n",
                        static_cast<long long>(m.update), static_cast<long long>(m.frames), m.frames_per_second,
                        static_cast<long long>(m.episodes), number_or_dash(m.episode_pnl, "%.6g").c_str(),
                        number_or_dash(m.episode_length, "%.1f").c_str(), m.reward, m.advantage, m.value,
                        m.policy_loss, m.value_loss, m.entropy, m.total_loss, m.gradient_l2, m.gradient_max,
                        m.gradient_variance, m.learning_rate, m.epsilon, m.beta);
      metrics.flush();
      const auto now = std::chrono::steady_clock::now();
      if (last || std::chrono::duration<double>(now - last_print).count() >= tc.log_every_seconds) {
        last_print = now;
        out << format("update %7lld  frames %10lld  %9.0f frames/s  episodes %5lld  pnl %9s  len %6s  "
                      "reward %9.4g  loss %9.4g (pi %.3g, v %.3g)  entropy %.3f  lr %.2e  eps %.3f  beta %.4f\n",
                      static_cast<long long>(m.update), static_cast<long long>(m.frames), m.frames_per_second,
                      static_cast<long long>(m.episodes), number_or_dash(m.episode_pnl, "%.2f").c_str(),
                      number_or_dash(m.episode_length, "%.0f").c_str(), m.reward, m.total_loss, m.policy_loss,
                      m.value_loss, m.entropy, m.learning_rate, m.epsilon, m.beta)
            << std::flush;
      }
    }
    if (trainer.updates() % tc.checkpoint_every_updates == 0) trainer.save_checkpoint(checkpoint);
    if (eval_env && (trainer.updates() % tc.eval_every_updates == 0 || trainer.frames() >= tc.total_frames)) {
      run_evaluation();
    }
  }
  std::signal(SIGINT, previous);
  RunOutcome outcome;
  trainer.save_checkpoint(checkpoint);
  out << (g_interrupted ? "interrupted" : "finished") << " after " << trainer.updates() << " updates ("
      << trainer.frames() << " frames); checkpoint " << checkpoint.string() << "\n";
  out << std::flush;
  write_tensorboard(run_dir, out);
  if (best_update >= 0) {
    out << format("best validation mean PnL %.2f at update %lld (random policy %.2f); checkpoint %s\n", best_mean,
                  static_cast<long long>(best_update), random_result.mean, (run_dir / "best").string().c_str());
  }
  outcome.exit_code = g_interrupted ? 130 : 0;
  outcome.evaluated = best_update >= 0;
  outcome.best_validation_pnl = best_mean;
  return outcome;
}

}  // namespace

}  // namespace mmsim::cli
