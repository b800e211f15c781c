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
std::atomic<int> g_stop_signal{0};

/// The first SIGINT or SIGTERM asks for a stop; the second of a kind (its
/// default action again) ends the process.
extern "C" void on_stop_signal(int signal) {
  g_stop_signal = signal;
  g_interrupted = true;
  std::signal(signal, SIG_DFL);
}

/// Ctrl-C (SIGINT) or SIGTERM (what a cluster scheduler sends before it
/// kills a job) asks every run to stop after its current update (and write
/// its checkpoint); during loading, training does not start. A second one
/// ends the process at once.
class StopSignalHandler {
 public:
  StopSignalHandler()
      : previous_interrupt_(std::signal(SIGINT, on_stop_signal)),
        previous_terminate_(std::signal(SIGTERM, on_stop_signal)) {
    g_interrupted = false;
    g_stop_signal = 0;
  }
  ~StopSignalHandler() {
    std::signal(SIGINT, previous_interrupt_);
    std::signal(SIGTERM, previous_terminate_);
  }
  StopSignalHandler(const StopSignalHandler&) = delete;
  StopSignalHandler& operator=(const StopSignalHandler&) = delete;

  /// The shell's exit status of a command ended by the signal that stopped it: 128 + its number.
  static int exit_status() { return 128 + g_stop_signal.load(); }

 private:
  void (*previous_interrupt_)(int);
  void (*previous_terminate_)(int);
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
  const StopSignalHandler stop_signal_handler;
  return train::train_runs(config, run, out).stopped ? StopSignalHandler::exit_status() : 0;
}

}  // namespace mmsim::cli
