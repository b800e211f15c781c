#pragma once
// Evaluation reports: report.md (side-by-side tables), report.json,
// windows.csv (one row per window and policy) and trajectory.csv (the sample
// window step by step, for tools/plot_eval.py).

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "mmsim/eval/evaluation.hpp"

namespace mmsim::eval {

struct ReportContext {
  std::string split;
  std::string data;          ///< data files / sessions
  std::uint64_t seed = 0;
  std::string config_hash;   ///< hex
  std::string agent;         ///< name of the policy the differences are taken against ("" = none)
  /// Names of the agent policies of a multi-seed run, one per seed (the
  /// report adds a table across seeds when there are two or more).
  std::vector<std::string> seed_agents;
  /// Markdown lines shown under the tables (e.g. the baselines' calibration).
  std::vector<std::string> notes;
  /// Named numbers for report.json's "parameters" (e.g. the calibration).
  std::vector<std::pair<std::string, double>> parameters;
  Protocol protocol;
  WindowPlan plan;
};

/// The side-by-side table as Markdown (also printed by the command line).
std::string markdown_table(const ReportContext& context, const std::vector<PolicyResult>& results);

/// Writes report.md, report.json, windows.csv and, when `trajectories` is
/// not empty ([results.size()], window 0 of each policy), trajectory.csv
/// into `dir` (created).
void write_report(const std::filesystem::path& dir, const ReportContext& context,
                  const std::vector<PolicyResult>& results, const std::vector<Trajectory>& trajectories = {});

}  // namespace mmsim::eval
