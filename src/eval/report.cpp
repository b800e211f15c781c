#include "mmsim/eval/report.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "mmsim/core/error.hpp"

namespace mmsim::eval {
namespace {

std::string fixed(double v, int digits = 2) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, v);
  return buffer;
}

const PolicyResult* find_agent(const ReportContext& context, const std::vector<PolicyResult>& results) {
  for (const PolicyResult& r : results) {
    if (!context.agent.empty() && r.name == context.agent) return &r;
  }
  return nullptr;
}

}  // namespace

std::string markdown_table(const ReportContext& c, const std::vector<PolicyResult>& results) {
  std::ostringstream out;
  out << "Split **" << c.split << "**: " << c.protocol.windows << " windows of " << c.plan.steps << " steps";
  if (c.plan.steps < c.protocol.steps) out << " (asked for " << c.protocol.steps << ": shrunk to fit the split)";
  out << ", covering " << c.plan.distinct_rows << " distinct rows of " << c.plan.split_rows
      << ". Final PnL after liquidation and fees, in currency.\n\n";
  const PolicyResult* agent = find_agent(c, results);
  out << "| policy | mean | std | median | 5% | 95% | worst | mean/std | mark-to-mid | mean abs position | flat | "
         "fills | volume | mean reward |";
  if (agent != nullptr) out << " " << agent->name << " - policy (95% CI) |";
  out << "\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
  if (agent != nullptr) out << "---|";
  out << "\n";
  for (const PolicyResult& r : results) {
    const Summary s = summarize(r);
    out << "| " << r.name << " | " << fixed(s.mean) << " | " << fixed(s.stddev) << " | " << fixed(s.median) << " | "
        << fixed(s.q05) << " | " << fixed(s.q95) << " | " << fixed(s.worst) << " | " << fixed(s.mean_over_std, 3)
        << " | " << fixed(s.pnl_mark) << " | " << fixed(s.mean_abs_position) << " | " << fixed(100 * s.flat_share, 1)
        << "% | " << fixed(s.fills, 1) << " | " << fixed(s.volume, 1) << " | " << fixed(s.mean_reward, 4) << " |";
    if (agent != nullptr) {
      if (&r == agent) {
        out << " |";
      } else {
        const PairedDifference d = paired_difference(agent->pnl, r.pnl, c.seed);
        out << " " << fixed(d.mean) << " [" << fixed(d.low) << ", " << fixed(d.high) << "] |";
      }
    }
    out << "\n";
  }
  return out.str();
}

void write_report(const std::filesystem::path& dir, const ReportContext& c, const std::vector<PolicyResult>& results) {
  std::filesystem::create_directories(dir);
  {
    std::ofstream md(dir / "report.md");
    md << "# Evaluation\n\n- data: " << c.data << "\n- split: " << c.split << "\n- seed: " << c.seed
       << "\n- config hash: " << c.config_hash << "\n\n"
       << markdown_table(c, results);
    if (!md) throw Error("cannot write " + (dir / "report.md").string());
  }
  nlohmann::json json;
  json["split"] = c.split;
  json["data"] = c.data;
  json["seed"] = c.seed;
  json["config_hash"] = c.config_hash;
  json["windows"] = c.protocol.windows;
  json["steps"] = c.plan.steps;
  json["steps_requested"] = c.protocol.steps;
  json["distinct_rows"] = c.plan.distinct_rows;
  json["split_rows"] = c.plan.split_rows;
  json["window_starts"] = c.plan.starts;
  const PolicyResult* agent = find_agent(c, results);
  for (const PolicyResult& r : results) {
    const Summary s = summarize(r);
    nlohmann::json p;
    p["name"] = r.name;
    p["summary"] = {{"mean", s.mean},           {"std", s.stddev},
                    {"median", s.median},       {"q05", s.q05},
                    {"q95", s.q95},             {"worst", s.worst},
                    {"mean_over_std", s.mean_over_std}, {"pnl_mark_mean", s.pnl_mark},
                    {"mean_abs_position", s.mean_abs_position}, {"flat_share", s.flat_share},
                    {"fills", s.fills},         {"volume", s.volume},
                    {"mean_reward", s.mean_reward}};
    p["pnl"] = r.pnl;
    if (agent != nullptr && &r != agent) {
      const PairedDifference d = paired_difference(agent->pnl, r.pnl, c.seed);
      p["agent_minus_policy"] = {{"mean", d.mean}, {"ci95_low", d.low}, {"ci95_high", d.high}};
    }
    json["policies"].push_back(p);
  }
  {
    std::ofstream out(dir / "report.json");
    out << json.dump(2) << "\n";
    if (!out) throw Error("cannot write " + (dir / "report.json").string());
  }
  std::ofstream csv(dir / "windows.csv");
  csv << "policy,window,start_row,pnl,pnl_mark,fills,volume,mean_abs_position,flat_share,mean_reward\n";
  for (const PolicyResult& r : results) {
    for (std::size_t k = 0; k < r.pnl.size(); ++k) {
      csv << '"' << r.name << "\"," << k << ',' << c.plan.starts[k] << ',' << r.pnl[k] << ',' << r.pnl_mark[k] << ','
          << r.fills[k] << ',' << r.volume[k] << ',' << r.mean_abs_position[k] << ',' << r.flat_share[k] << ','
          << r.mean_reward[k] << '\n';
    }
  }
  if (!csv) throw Error("cannot write " + (dir / "windows.csv").string());
}

}  // namespace mmsim::eval
