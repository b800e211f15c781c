// mmsim command line.

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

#include "cli/summary.hpp"
#include "cli/tabular.hpp"
#ifdef MMSIM_WITH_TORCH
#include "cli/eval.hpp"
#include "cli/lstm.hpp"
#include "cli/sweep.hpp"
#include "cli/train.hpp"
#include "mmsim/train/run.hpp"
#endif
#include "mmsim/core/error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"mmsim: GPU-native batched market-making simulator"};
  app.set_version_flag("--version", "mmsim 0.1.0");
  app.require_subcommand(1);

  std::string config_file;
  std::vector<std::string> overrides;
  std::string device = "auto";
  std::string write_config;
  CLI::App* summary = app.add_subcommand(
      "summary", "Load the dataset, build the order-book tensor and the feature table, print a summary");
  summary->add_option("-c,--config", config_file, "YAML config file (see configs/)")->required();
  summary->add_option("--set", overrides, "Override a config key: --set data.depth=6 (repeatable)");
  summary->add_option("--device", device, "Where to compute the features: auto, cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  summary->add_option("--write-config", write_config, "Write the effective config (YAML) to this file");

  std::string tabular_config;
  std::vector<std::string> tabular_overrides;
  mmsim::cli::TabularOptions tabular_options;
  bool no_plots = false;
  CLI::App* tabular = app.add_subcommand(
      "tabular", "Train the notebook's tabular learners (Q-learning, SARSA, Expected SARSA) on the fill-probability "
                 "env, evaluate them on the test split (docs/notebook.md)");
  tabular->add_option("-c,--config", tabular_config, "YAML config file, e.g. configs/notebook.yaml")->required();
  tabular->add_option("--set", tabular_overrides, "Override a config key: --set tabular.seeds=8 (repeatable)");
  tabular->add_option("--device", tabular_options.device, "cpu (default) or cuda: where the learners train")
      ->check(CLI::IsMember({"cpu", "cuda"}));
  tabular->add_option("--runs-dir", tabular_options.runs_dir, "Where the run directory goes (default runs)");
  tabular->add_flag("--no-plots", no_plots, "Skip the plots (tools/plot_tabular.py)");

#ifdef MMSIM_WITH_TORCH
  std::string train_config;
  std::vector<std::string> train_overrides;
  std::string train_device = "cpu";
  std::string resume;
  CLI::App* train = app.add_subcommand("train", "Train the A2C market maker (configs/*.yaml, section train)");
  train->add_option("-c,--config", train_config, "YAML config file (see configs/)")->required();
  train->add_option("--set", train_overrides, "Override a config key: --set train.total_frames=100000 (repeatable)");
  train->add_option("--device", train_device, "cpu (default) or cuda: where the envs step and the network trains")
      ->check(CLI::IsMember({"cpu", "cuda"}));
  train->add_option("--resume", resume, "Continue the run in this directory (runs/<name>)");
  int seeds = 1;
  train->add_option("--seeds", seeds, "Train K independent seeds (seed, seed + 1, ...) and compare them");
  std::vector<std::string> sweeps;
  train->add_option("--sweep", sweeps,
                    "Train every combination of KEY=V1,V2,... side by side and rank them: "
                    "--sweep train.learning_rate=1e-4,3e-4 (repeatable)");

  std::string eval_config;
  std::vector<std::string> eval_overrides;
  mmsim::cli::EvalOptions eval_options;
  CLI::App* evaluate = app.add_subcommand(
      "eval", "Evaluate a trained agent against the baselines on fixed random windows (the thesis's protocol)");
  evaluate->add_option("--checkpoint", eval_options.checkpoint, "Checkpoint directory, e.g. runs/<name>/best, or the seed group runs/<name>-seeds of train --seeds")
      ->required();
  evaluate->add_option("-c,--config", eval_config, "YAML config (default: the run's config.yaml)");
  evaluate->add_option("--set", eval_overrides, "Override a config key (repeatable)");
  evaluate->add_option("--split", eval_options.split, "test (default), validation or train");
  evaluate->add_option("--windows", eval_options.windows, "Number of windows W (default 100)");
  evaluate->add_option("--steps", eval_options.steps, "Steps per window S (default 10000, shrunk to fit)");
  evaluate->add_flag("--greedy", eval_options.greedy, "Act greedily (default: sample from the policy)");
  evaluate->add_option("--device", eval_options.device, "cpu (default) or cuda: where the windows' envs step")
      ->check(CLI::IsMember({"cpu", "cuda"}));

  std::string lstm_config;
  std::vector<std::string> lstm_overrides;
  mmsim::cli::LstmOptions lstm_options;
  CLI::App* lstm = app.add_subcommand("lstm", "The LSTM mid-move forecaster and its feature columns (docs/lstm.md)");
  lstm->require_subcommand(1);
  CLI::App* lstm_train = lstm->add_subcommand(
      "train", "Fit the LSTM (full and walk-forward models), write its report, cache its feature columns");
  CLI::App* lstm_features =
      lstm->add_subcommand("features", "Build or check the cached LSTM feature columns of the fitted models");
  for (CLI::App* command : {lstm_train, lstm_features}) {
    command->add_option("-c,--config", lstm_config, "YAML config file (see configs/)")->required();
    command->add_option("--set", lstm_overrides, "Override a config key: --set lstm.epochs=5 (repeatable)");
    command->add_option("--device", lstm_options.device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
  }
#endif

  CLI11_PARSE(app, argc, argv);

  try {
    if (summary->parsed()) {
      const mmsim::Config config = mmsim::load_config(config_file, overrides);
      mmsim::cli::SummaryOptions options;
      options.device = device == "cpu"    ? mmsim::cli::Device::cpu
                       : device == "cuda" ? mmsim::cli::Device::cuda
                                          : mmsim::cli::Device::automatic;
      options.write_config = write_config;
      return mmsim::cli::run_summary(config, options, std::cout);
    }
    if (tabular->parsed()) {
      tabular_options.plots = !no_plots;
      return mmsim::cli::run_tabular(mmsim::load_config(tabular_config, tabular_overrides), tabular_options, std::cout);
    }
#ifdef MMSIM_WITH_TORCH
    if (train->parsed()) {
      const mmsim::Config config = mmsim::load_config(train_config, train_overrides);
      mmsim::cli::TrainOptions options{train_device, resume, seeds, {}};
      if (!sweeps.empty()) options.sweep = mmsim::cli::sweep_points(train_config, train_overrides, sweeps);
      return mmsim::cli::run_train(config, options, std::cout);
    }
    if (evaluate->parsed()) {
      const std::filesystem::path run_config = mmsim::train::checkpoint_config_path(eval_options.checkpoint);
      const mmsim::Config config =
          mmsim::load_config(eval_config.empty() ? run_config : std::filesystem::path(eval_config), eval_overrides);
      return mmsim::cli::run_eval(config, eval_options, std::cout);
    }
    if (lstm->parsed()) {
      const mmsim::Config config = mmsim::load_config(lstm_config, lstm_overrides);
      return lstm_train->parsed() ? mmsim::cli::run_lstm_train(config, lstm_options, std::cout)
                                  : mmsim::cli::run_lstm_features(config, lstm_options, std::cout);
    }
#endif
  } catch (const mmsim::Error& e) {
    std::cerr << "mmsim: error: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "mmsim: unexpected error: " << e.what() << '\n';
    return 3;
  }
  return 0;
}
