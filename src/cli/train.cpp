#include "cli/train.hpp"

#include <atomic>
#include <csignal>

#include "cli/python_tool.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/train/device.hpp"
#include "mmsim/train/run.hpp"

namespace mmsim::cli {
namespace {

std::atomic<bool> g_interrupted{false};

/// The first Ctrl-C asks for a stop; the second (the default action again) ends the process.
extern "C" void on_interrupt(int) {
  g_interrupted = true;
  std::signal(SIGINT, SIG_DFL);
}

/// Ctrl-C asks every run to stop after its current update (and write its
/// checkpoint); pressed during loading, training does not start. A second
/// Ctrl-C ends the process at once.
class InterruptHandler {
 public:
  InterruptHandler() : previous_(std::signal(SIGINT, on_interrupt)) { g_interrupted = false; }
  ~InterruptHandler() { std::signal(SIGINT, previous_); }
  InterruptHandler(const InterruptHandler&) = delete;
  InterruptHandler& operator=(const InterruptHandler&) = delete;

 private:
  void (*previous_)(int);
};

/// Writes TensorBoard event files for the run with tools/metrics_to_tensorboard.py, or says how to.
void write_tensorboard(const std::filesystem::path& run_dir, std::ostream& out) {
  std::string command;
  if (run_python_tool("metrics_to_tensorboard.py", run_dir, &command)) return;
  out << "TensorBoard files not written (needs the Python environment of tools/setup.sh): " << command << "\n";
}

}  // namespace

int run_train(const Config& config, const TrainOptions& options, std::ostream& out) {
  std::string reason;
  if (options.device == "cuda" && !train::cuda_training_available(&reason)) {
    throw Error("--device cuda: " + reason + "; --device cpu trains on the CPU");
  }
  train::RunOptions run;
  run.cuda = options.device == "cuda";
  run.resume = options.resume;
  run.seeds = options.seeds;
  run.sweep = options.sweep;
  run.stop = &g_interrupted;
  run.on_run_finished = write_tensorboard;
  const InterruptHandler interrupt_handler;
  return train::train_runs(config, run, out).stopped ? 130 : 0;
}

}  // namespace mmsim::cli
