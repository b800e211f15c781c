#include "mmsim/eval/suite.hpp"

#include "mmsim/core/error.hpp"
#include "mmsim/core/printf_format.hpp"
#include "mmsim/eval/avellaneda_stoikov.hpp"
#include "mmsim/eval/baselines.hpp"

namespace mmsim::eval {

EvaluationSuite::EvaluationSuite(const Config& config, const EnvData& data, const Protocol& protocol)
    : data_(data), env_(config.env), protocol_(protocol) {
  validate(env_);
  context_.plan = plan_windows(data_, env_, protocol_);
  params_ = make_step_params(protocol_env_config(env_, context_.plan, protocol_), data_, protocol_.seed);
  context_.protocol = protocol_;
  context_.split = to_string(protocol_.split);
  for (const auto& f : config.data.load.files) {
    context_.data += (context_.data.empty() ? "" : ", ") + f.filename().string();
  }
  context_.seed = protocol_.seed;
  context_.config_hash = format("%016llx", static_cast<unsigned long long>(config_hash(config)));
}

void EvaluationSuite::add_agent(std::unique_ptr<Policy> agent) {
  if (agents_.empty()) context_.agent = agent->name();
  agents_.push_back(agent->name());
  add(std::move(agent));
}

void EvaluationSuite::add(std::unique_ptr<Policy> policy) { policies_.push_back(std::move(policy)); }

void EvaluationSuite::add_baselines(const AsBaselineConfig& baselines, const Split& calibration_rows,
                                    std::ostream& out) {
  add(random_policy(protocol_.seed, params_.action_count));
  for (int a = 0; a < params_.action_count; ++a) add(fixed_action_policy(a, params_.actions[a]));
  if (!baselines.enabled) return;
  Calibration calibration;
  try {
    calibration = calibrate(*data_.book, calibration_rows, baselines.max_distance_ticks, baselines.min_fills);
  } catch (const Error& e) {
    out << "Avellaneda-Stoikov baselines skipped: calibration on the training split failed: " << e.what() << "\n";
    add_note(std::string("Avellaneda-Stoikov baselines skipped: calibration failed: ") + e.what());
    return;
  }
  for (const AsForm form : {AsForm::finite_horizon, AsForm::asymptotic}) {
    add(avellaneda_stoikov_policy(form, calibration, baselines, data_, params_));
  }
  context_.parameters = {{"as_sigma", calibration.sigma},
                         {"as_A", calibration.intensity.A},
                         {"as_kappa", calibration.intensity.kappa},
                         {"as_gamma", baselines.gamma}};
  add_note("Avellaneda-Stoikov and GLFT (docs/baselines.md): calibrated on the training split, sigma " +
           format("%.5g", calibration.sigma) + " per step, A " + format("%.5g", calibration.intensity.A) +
           " fills per step, kappa " + format("%.5g", calibration.intensity.kappa) + " per currency unit; gamma " +
           format("%.5g", baselines.gamma) + ", quotes " + to_string(baselines.quotes) + ".");
}

const std::vector<PolicyResult>& EvaluationSuite::run(std::ostream& out) {
  // A single agent gets no table across seeds.
  context_.seed_agents = agents_.size() > 1 ? agents_ : std::vector<std::string>{};
  results_.clear();
  trajectories_.assign(policies_.size(), Trajectory{});
  for (std::size_t p = 0; p < policies_.size(); ++p) {
    out << "evaluating " << policies_[p]->name() << " ...\n" << std::flush;
    results_.push_back(run_policy(data_, env_, protocol_, context_.plan, *policies_[p], &trajectories_[p]));
  }
  return results_;
}

std::string EvaluationSuite::table() const { return markdown_table(context_, results_); }

void EvaluationSuite::write_report(const std::filesystem::path& dir) const {
  eval::write_report(dir, context_, results_, trajectories_);
}

}  // namespace mmsim::eval
