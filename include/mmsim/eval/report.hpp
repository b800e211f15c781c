#pragma once
// Evaluation reports: report.md (side-by-side table), report.json and
// windows.csv (one row per window and policy).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "mmsim/eval/evaluation.hpp"

namespace mmsim::eval {

struct ReportContext {
  std::string split;
  std::string data;          ///< data files / sessions
  std::uint64_t seed = 0;
  std::string config_hash;   ///< hex
  std::string agent;         ///< name of the policy the differences are taken against ("" = none)
  Protocol protocol;
  WindowPlan plan;
};

/// The side-by-side table as Markdown (also printed by the command line).
std::string markdown_table(const ReportContext& context, const std::vector<PolicyResult>& results);

/// Writes report.md, report.json and windows.csv into `dir` (created).
void write_report(const std::filesystem::path& dir, const ReportContext& context,
                  const std::vector<PolicyResult>& results);

}  // namespace mmsim::eval
