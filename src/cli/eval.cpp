#include "cli/eval.hpp"

#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "cli/market_data.hpp"
#include "cli/python_tool.hpp"
#include "cli/train.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/core/printf_format.hpp"
#include "mmsim/data/features.hpp"
#include "mmsim/data/load.hpp"
#include "mmsim/eval/baselines.hpp"
#include "mmsim/eval/report.hpp"
#ifdef MMSIM_WITH_CUDA
#include "mmsim/gpu/device.hpp"
#include "mmsim/gpu/eval_backend.hpp"
#endif
#include "mmsim/train/evaluate.hpp"
#include "mmsim/train/lstm.hpp"
#include "mmsim/train/trainer.hpp"

namespace mmsim::cli {
namespace {

/// A trained agent to evaluate: its checkpoint and its name in the report.
struct AgentRun {
  std::filesystem::path checkpoint;
  std::string name;
};

bool is_seed_group(const std::filesystem::path& checkpoint) {
  return std::filesystem::exists(checkpoint / kSeedRunsFile);
}

/// The best checkpoint of a run when it has one, else its latest.
std::filesystem::path run_checkpoint(const std::filesystem::path& run) {
  for (const char* name : {"best", "checkpoint"}) {
    if (std::filesystem::exists(run / name)) return run / name;
  }
  throw Error("run " + run.string() + " has no checkpoint (no best/ or checkpoint/ directory)");
}

std::vector<AgentRun> agent_runs(const std::filesystem::path& checkpoint) {
  if (!is_seed_group(checkpoint)) return {{checkpoint, "agent"}};
  std::ifstream list(checkpoint / kSeedRunsFile);
  std::vector<AgentRun> runs;
  std::string line;
  while (std::getline(list, line)) {
    if (line.empty()) continue;
    const std::filesystem::path run = checkpoint.parent_path() / line;
    const auto seed = line.rfind("-seed");
    runs.push_back({run_checkpoint(run), "agent seed " + line.substr(seed == std::string::npos ? 0 : seed + 5)});
  }
  if (runs.empty()) throw Error((checkpoint / kSeedRunsFile).string() + " lists no runs");
  return runs;
}

/// The Avellaneda-Stoikov baselines calibrated on the training split, or a
/// note saying why they are missing.
void add_model_baselines(const Config& config, const EnvData& data, const Split& calibration_rows,
                         const StepParams& params,
                         std::vector<std::unique_ptr<eval::Policy>>* policies, eval::ReportContext* context,
                         std::ostream& out) {
  const eval::AsBaselineConfig& as = config.baselines.as;
  if (!as.enabled) return;
  eval::Calibration calibration;
  try {
    calibration = eval::calibrate(*data.book, calibration_rows, as.max_distance_ticks, as.min_fills);
  } catch (const Error& e) {
    out << "Avellaneda-Stoikov baselines skipped: calibration on the training split failed: " << e.what() << "\n";
    context->notes.push_back(std::string("Avellaneda-Stoikov baselines skipped: calibration failed: ") + e.what());
    return;
  }
  for (const eval::AsForm form : {eval::AsForm::finite_horizon, eval::AsForm::asymptotic}) {
    policies->push_back(eval::avellaneda_stoikov_policy(form, calibration, as, data, params));
  }
  context->parameters = {{"as_sigma", calibration.sigma},
                         {"as_A", calibration.intensity.A},
                         {"as_kappa", calibration.intensity.kappa},
                         {"as_gamma", as.gamma}};
  context->notes.push_back("Avellaneda-Stoikov and GLFT (docs/baselines.md): calibrated on the training split, sigma " +
                           format("%.5g", calibration.sigma) + " per step, A " +
                           format("%.5g", calibration.intensity.A) + " fills per step, kappa " +
                           format("%.5g", calibration.intensity.kappa) + " per currency unit; gamma " +
                           format("%.5g", as.gamma) + ", quotes " + eval::to_string(as.quotes) + ".");
}

}  // namespace

std::filesystem::path eval_config_path(const std::filesystem::path& checkpoint) {
  return is_seed_group(checkpoint) ? checkpoint / "config.yaml" : checkpoint.parent_path() / "config.yaml";
}

int run_eval(const Config& config, const EvalOptions& options, std::ostream& out) {
  eval::Protocol protocol;
  std::string backend_note;
  if (options.device == "cuda") {
#ifdef MMSIM_WITH_CUDA
    const gpu::DeviceStatus device = gpu::query_device();
    if (!device.usable) {
      throw Error("--device cuda: no usable CUDA device (" + device.reason + "); --device cpu evaluates on the CPU");
    }
    protocol.backend = gpu::cuda_eval_backend();
    backend_note = "The windows stepped on the CUDA backend (" + device.name + ").";
#else
    throw Error("--device cuda: this build has no CUDA backend (the CUDA toolkit was not found when it was built)");
#endif
  } else if (options.device != "cpu") {
    throw Error("--device " + options.device + ": expected cpu or cuda");
  }
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
  const std::filesystem::path checkpoint(options.checkpoint);
  const std::vector<AgentRun> agents = agent_runs(checkpoint);

  // Normalised with the training split's statistics, as in training.
  MarketData market = load_market_data(config);
  // With the LSTM columns the agent's training split loses walk-forward block
  // 0; the baselines stay calibrated on the whole training split.
  const Split training_rows = market.splits.train;
  if (config.features.lstm) {
    market.splits = train::add_lstm_features(config, market.loaded.book, market.table, market.splits, torch::kCPU, out);
  }
  const EnvData data = market.view();
  const eval::WindowPlan plan = eval::plan_windows(data, config.env, protocol);
  const StepParams params = make_step_params(eval::protocol_env_config(config.env, plan, protocol), data, config.seed);
  const std::int64_t observation_size = static_cast<std::int64_t>(params.stack) * params.frame_size;

  eval::ReportContext context;
  std::vector<std::unique_ptr<eval::Policy>> policies;
  for (const AgentRun& agent : agents) {
    policies.push_back(train::agent_policy(
        train::load_network(agent.checkpoint, config, observation_size, params.action_count), options.greedy,
        config.seed, agent.name));
    if (agents.size() > 1) context.seed_agents.push_back(policies.back()->name());
  }
  policies.push_back(eval::random_policy(config.seed, params.action_count));
  for (int a = 0; a < params.action_count; ++a) policies.push_back(eval::fixed_action_policy(a, params.actions[a]));
  add_model_baselines(config, data, training_rows, params, &policies, &context, out);

  std::vector<eval::PolicyResult> results;
  std::vector<eval::Trajectory> trajectories(policies.size());
  for (std::size_t p = 0; p < policies.size(); ++p) {
    out << "evaluating " << policies[p]->name() << " ...\n" << std::flush;
    results.push_back(eval::run_policy(data, config.env, protocol, plan, *policies[p], &trajectories[p]));
  }

  if (!backend_note.empty()) context.notes.push_back(backend_note);
  context.split = options.split;
  for (const auto& f : config.data.load.files) context.data += (context.data.empty() ? "" : ", ") + f.filename().string();
  context.seed = config.seed;
  context.config_hash = format("%016llx", static_cast<unsigned long long>(config_hash(config)));
  context.agent = results.front().name;
  context.protocol = protocol;
  context.plan = plan;
  const std::filesystem::path report_dir =
      (is_seed_group(checkpoint) ? checkpoint : checkpoint.parent_path()) / "eval" / options.split;
  eval::write_report(report_dir, context, results, trajectories);
  out << "\n" << eval::markdown_table(context, results) << "\nreport: " << (report_dir / "report.md").string()
      << " (also report.json, windows.csv, trajectory.csv)\n";
  std::string command;
  if (run_python_tool("plot_eval.py", report_dir, &command)) {
    out << "plots: " << (report_dir / "pnl_hist.png").string() << ", " << (report_dir / "window.png").string() << "\n";
  } else {
    out << "plots not made (needs the Python environment of tools/setup.sh): " << command << "\n";
  }
  return 0;
}

}  // namespace mmsim::cli
