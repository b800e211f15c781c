#pragma once
// The evaluation protocol as one object (docs/evaluation.md): policies on the
// same windows of one split, the standard baselines, and the report. Front
// ends add their agents, run it and write the report. Torch-free.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <ostream>
#include <vector>

#include "mmsim/config/config.hpp"
#include "mmsim/eval/evaluation.hpp"
#include "mmsim/eval/report.hpp"

namespace mmsim::eval {

class EvaluationSuite {
 public:
  /// Plans the windows of `protocol` over `data` (which must outlive the
  /// suite) with `config`'s env section (validated here), the envs and the
  /// windows drawn with protocol.seed, and fills the report's context from
  /// `config` (data files, config hash).
  /// Throws ConfigError for an invalid env section.
  EvaluationSuite(const Config& config, const EnvData& data, const Protocol& protocol);

  const WindowPlan& plan() const { return context_.plan; }
  /// Parameters of the protocol's env: what a policy sees (observation size
  /// stack x frame_size) and chooses from (the action table).
  const StepParams& params() const { return params_; }

  /// A trained agent: the report's differences are taken against the first
  /// agent, and two or more agents (the seeds of a group) get a table across
  /// seeds.
  void add_agent(std::unique_ptr<Policy> agent);
  /// A baseline or any other policy, reported in the order added.
  void add(std::unique_ptr<Policy> policy);
  /// The standard baselines: the random policy, every fixed action and, when
  /// `baselines.enabled`, Avellaneda-Stoikov and GLFT calibrated on
  /// `calibration_rows` (a failed calibration is said on `out` and noted in
  /// the report instead).
  void add_baselines(const AsBaselineConfig& baselines, const Split& calibration_rows, std::ostream& out);

  /// Report lines under the tables (e.g. where the envs stepped).
  void add_note(const std::string& note) { context_.notes.push_back(note); }

  /// Runs every policy on the windows, saying which on `out`; window 0 of
  /// each is recorded step by step for the plots.
  const std::vector<PolicyResult>& run(std::ostream& out);

  /// The side-by-side table of run()'s results as Markdown.
  std::string table() const;
  /// Writes run()'s results: report.md, report.json, windows.csv and
  /// trajectory.csv into `dir` (created).
  void write_report(const std::filesystem::path& dir) const;

 private:
  EnvData data_;
  EnvConfig env_;
  Protocol protocol_;
  StepParams params_;
  ReportContext context_;
  std::vector<std::unique_ptr<Policy>> policies_;
  std::vector<std::string> agents_;  ///< names of the policies added by add_agent()
  std::vector<PolicyResult> results_;
  std::vector<Trajectory> trajectories_;
};

}  // namespace mmsim::eval
