#include "cli/eval.hpp"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <vector>

#include "mmsim/core/error.hpp"
#include "mmsim/data/features.hpp"
#include "mmsim/data/load.hpp"
#include "mmsim/eval/report.hpp"
#include "mmsim/train/evaluate.hpp"
#include "mmsim/train/trainer.hpp"

namespace mmsim::cli {

int run_eval(const Config& config, const EvalOptions& options, std::ostream& out) {
  if (options.device != "cpu") {
    throw Error("--device " + options.device + ": this version evaluates on the CPU backend only (--device cpu)");
  }
  eval::Protocol protocol;
  protocol.windows = options.windows;
  protocol.steps = options.steps;
  protocol.seed = config.seed;
  if (options.split == "test") {
    protocol.split = EpisodeSplit::test;
  } else if (options.split == "validation") {
    protocol.split = EpisodeSplit::validation;
  } else if (options.split == "train") {
    protocol.split = EpisodeSplit::train;
  } else {
    throw ConfigError("--split", "'" + options.split + "' is not one of: test, validation, train");
  }
  validate(config.env);

  const LoadedBook loaded = config.data.use_cache ? load_book(config.data.load, cache_dir_of(config))
                                                  : load_book_uncached(config.data.load);
  FeatureTable table = compute_features_cpu(loaded.book, config.features);
  const Splits splits = make_splits(loaded.book, table.layout.warmup_rows(), config.split);
  // Normalised with the training split's statistics, as in training.
  normalise_features(table, splits.train);
  const EnvData data{&loaded.book, &table, &splits};
  const eval::WindowPlan plan = eval::plan_windows(data, config.env, protocol);
  const StepParams params = make_step_params(eval::protocol_env_config(config.env, plan, protocol), data, config.seed);
  const std::int64_t observation_size = static_cast<std::int64_t>(params.stack) * params.frame_size;

  std::vector<std::unique_ptr<eval::Policy>> policies;
  const std::filesystem::path checkpoint(options.checkpoint);
  policies.push_back(train::agent_policy(
      train::load_network(checkpoint, config, observation_size, params.action_count), options.greedy, config.seed));
  policies.push_back(eval::random_policy(config.seed, params.action_count));
  for (int a = 0; a < params.action_count; ++a) policies.push_back(eval::fixed_action_policy(a, params.actions[a]));

  std::vector<eval::PolicyResult> results;
  for (auto& policy : policies) {
    out << "evaluating " << policy->name() << " ...\n" << std::flush;
    results.push_back(eval::run_policy(data, config.env, protocol, plan, *policy));
  }

  eval::ReportContext context;
  context.split = options.split;
  for (const auto& f : config.data.load.files) context.data += (context.data.empty() ? "" : ", ") + f.filename().string();
  context.seed = config.seed;
  char hash[32];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(config_hash(config)));
  context.config_hash = hash;
  context.agent = results.front().name;
  context.protocol = protocol;
  context.plan = plan;
  const std::filesystem::path report_dir = checkpoint.parent_path() / "eval" / options.split;
  eval::write_report(report_dir, context, results);
  out << "\n" << eval::markdown_table(context, results) << "\nreport: " << (report_dir / "report.md").string()
      << " (also report.json, windows.csv)\n";
  return 0;
}

}  // namespace mmsim::cli
