#include "cli/eval.hpp"

#include "cli/python_tool.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/eval/suite.hpp"
#ifdef MMSIM_WITH_CUDA
#include "mmsim/gpu/device.hpp"
#include "mmsim/gpu/eval_backend.hpp"
#endif
#include "mmsim/train/agent_policy.hpp"
#include "mmsim/train/market.hpp"
#include "mmsim/train/run.hpp"

namespace mmsim::cli {
namespace {

/// The protocol's backend for --device, and the report's note on it (empty on the CPU).
std::string choose_backend(const std::string& device, [[maybe_unused]] eval::Protocol* protocol) {
  if (device == "cpu") return "";
  if (device != "cuda") throw Error("--device " + device + ": expected cpu or cuda");
#ifdef MMSIM_WITH_CUDA
  const gpu::DeviceStatus status = gpu::query_device();
  if (!status.usable) {
    throw Error("--device cuda: no usable CUDA device (" + status.reason + "); --device cpu evaluates on the CPU");
  }
  protocol->backend = gpu::cuda_eval_backend();
  return "The windows stepped on the CUDA backend (" + status.name + ").";
#else
  throw Error("--device cuda: this build has no CUDA backend (the CUDA toolkit was not found when it was built)");
#endif
}

}  // namespace

int run_eval(const Config& config, const EvalOptions& options, std::ostream& out) {
  if (options.windows < 1) throw ConfigError("--windows", "must be >= 1");
  if (options.steps < 1) throw ConfigError("--steps", "must be >= 1");
  eval::Protocol protocol;
  const std::string backend_note = choose_backend(options.device, &protocol);
  protocol.windows = options.windows;
  protocol.steps = options.steps;
  protocol.seed = config.seed;
  protocol.split = parse_episode_split(options.split, "--split");
  const std::filesystem::path checkpoint(options.checkpoint);
  const std::vector<train::AgentCheckpoint> agents = train::agent_checkpoints(checkpoint);

  // The baselines calibrate on the whole training split, also when the LSTM
  // columns leave the agent's without walk-forward block 0.
  Split training_rows;
  const MarketData market = train::load_agent_market(config, torch::kCPU, out, &training_rows);
  eval::EvaluationSuite suite(config, market.view(), protocol);
  for (auto& agent : train::agent_policies(agents, config, suite.params(), options.greedy)) {
    suite.add_agent(std::move(agent));
  }
  suite.add_baselines(config.baselines.as, training_rows, out);
  if (!backend_note.empty()) suite.add_note(backend_note);
  suite.run(out);

  const std::filesystem::path report_dir = train::eval_report_dir(checkpoint, protocol.split);
  suite.write_report(report_dir);
  out << "\n" << suite.table() << "\nreport: " << (report_dir / "report.md").string()
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
