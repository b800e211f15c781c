#include "mmsim/eval/report.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "mmsim/core/error.hpp"
#include "mmsim/core/statistics.hpp"

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

/// A number that may be missing (NaN), e.g. a markout without fills.
std::string optional(double v, int digits) { return std::isnan(v) ? "-" : fixed(v, digits); }

/// A multi-seed run's agents and their comparisons, computed once for
/// report.md and report.json.
struct SeedGroup {
  std::vector<std::size_t> agents;  ///< indices into the results, one per seed
  std::vector<double> means;        ///< each seed's mean PnL
  stats::MeanInterval across;       ///< the mean over seeds, t-interval across seeds
  struct Against {
    std::size_t policy;               ///< index into the results
    stats::MeanInterval seeds;        ///< seeds' mean - the policy's, t-interval across seeds
    stats::PairedDifference windows;  ///< the same, paired bootstrap over windows of the seeds' mean per window
  };
  std::vector<Against> against;  ///< every policy that is not a seed's agent
};

/// The seed group of `c.seed_agents` (two or more). Each seed's agent is the
/// first result of its name not taken yet: a baseline may share an agent's name.
SeedGroup seed_group(const ReportContext& c, const std::vector<PolicyResult>& results) {
  SeedGroup g;
  std::vector<bool> is_agent(results.size(), false);
  for (const std::string& name : c.seed_agents) {
    for (std::size_t k = 0; k < results.size(); ++k) {
      if (is_agent[k] || results[k].name != name) continue;
      is_agent[k] = true;
      g.agents.push_back(k);
      break;
    }
  }
  MMSIM_ASSERT(g.agents.size() == c.seed_agents.size() && g.agents.size() >= 2, "every seed agent has a result");
  std::vector<const std::vector<double>*> per_seed;
  for (std::size_t k : g.agents) per_seed.push_back(&results[k].pnl);
  const stats::SeedGroupStats group = stats::seed_group_stats(per_seed);
  g.means = group.means;
  g.across = group.across;
  for (std::size_t k = 0; k < results.size(); ++k) {
    if (is_agent[k]) continue;
    const stats::SeedGroupDifference d = stats::seed_group_difference(group, results[k].pnl, c.seed);
    g.against.push_back({k, d.seeds, d.windows});
  }
  return g;
}

}  // namespace

std::string markdown_table(const ReportContext& c, const std::vector<PolicyResult>& results) {
  std::ostringstream out;
  out << "Split **" << c.split << "**: " << c.protocol.windows << " windows of " << c.plan.steps << " steps";
  if (c.plan.steps < c.protocol.steps) out << " (asked for " << c.protocol.steps << ": shrunk to fit the split)";
  out << ", covering " << c.plan.distinct_rows << " distinct rows of " << c.plan.split_rows
      << ". Final PnL after liquidation and fees, in currency.\n\n";
  const PolicyResult* agent = find_agent(c, results);
  out << "| policy | mean | std | median | 5% | 95% | worst | mean/std | mark-to-mid |";
  if (agent != nullptr) out << " " << agent->name << " - policy (95% CI) |";
  out << "\n|---|---:|---:|---:|---:|---:|---:|---:|---:|";
  if (agent != nullptr) out << "---|";
  out << "\n";
  for (const PolicyResult& r : results) {
    const Summary s = summarize(r);
    out << "| " << r.name << " | " << fixed(s.mean) << " | " << fixed(s.stddev) << " | " << fixed(s.median) << " | "
        << fixed(s.q05) << " | " << fixed(s.q95) << " | " << fixed(s.worst) << " | " << fixed(s.mean_over_std, 3)
        << " | " << fixed(s.pnl_mark) << " |";
    if (agent != nullptr) {
      if (&r == agent) {
        out << " |";
      } else {
        const stats::PairedDifference d = stats::paired_difference(agent->pnl, r.pnl, c.seed);
        out << " " << fixed(d.mean) << " [" << fixed(d.low) << ", " << fixed(d.high) << "] |";
      }
    }
    out << "\n";
  }
  out << "\nTrading, means per window. PnL = spread capture + inventory + liquidation - fees; spread capture "
         "against the mid of the row at which the filling step started; markouts: side x (mid h steps after the fill's row - fill "
         "price), currency per base unit, volume-weighted.\n\n"
      << "| policy | mean abs position | flat | fills | volume | spread / unit | spread / fill | spread capture | inventory | "
         "liquidation | fees | markout +1 | markout +10 | markout +100 | mean reward |\n"
      << "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const PolicyResult& r : results) {
    const Summary s = summarize(r);
    out << "| " << r.name << " | " << fixed(s.mean_abs_position) << " | " << fixed(100 * s.flat_share, 1) << "% | "
        << fixed(s.fills, 1) << " | " << fixed(s.volume, 1) << " | " << fixed(s.spread_per_unit, 4) << " | "
        << fixed(s.spread_per_fill, 2) << " | "
        << fixed(s.spread_capture) << " | " << fixed(s.inventory_pnl) << " | " << fixed(s.liquidation) << " | "
        << fixed(s.fees) << " |";
    for (int h = 0; h < kMarkoutCount; ++h) out << " " << optional(s.markout[h], 4) << " |";
    out << " " << fixed(s.mean_reward, 4) << " |\n";
  }
  if (c.seed_agents.size() >= 2) {
    const PolicyResult* random = nullptr;
    for (const PolicyResult& r : results) {
      if (r.name == "random") random = &r;
    }
    const SeedGroup g = seed_group(c, results);
    out << "\nAcross seeds (each seed's agent on the same windows):\n\n| seed | mean | std |";
    if (random != nullptr) out << " seed - random (95% CI) |";
    out << "\n|---|---:|---:|" << (random != nullptr ? "---|" : "") << "\n";
    for (std::size_t k : g.agents) {
      const Summary s = summarize(results[k]);
      out << "| " << results[k].name << " | " << fixed(s.mean) << " | " << fixed(s.stddev) << " |";
      if (random != nullptr) {
        const stats::PairedDifference d = stats::paired_difference(results[k].pnl, random->pnl, c.seed);
        out << " " << fixed(d.mean) << " [" << fixed(d.low) << ", " << fixed(d.high) << "] |";
      }
      out << "\n";
    }
    out << "\nMean PnL across " << g.means.size() << " seeds: " << fixed(g.across.mean) << " ["
        << fixed(g.across.low) << ", " << fixed(g.across.high) << "] (95% t-interval across seeds), std across seeds "
        << fixed(stats::population_stddev(g.means)) << ".\n";
    out << "\nSeeds against each other policy: the mean over seeds of (the seed's mean - the policy's), with 95% "
           "intervals across seeds (t, these windows) and across windows (paired bootstrap of the seeds' mean PnL "
           "per window):\n\n| policy | seeds - policy | 95% CI across seeds | 95% CI across windows |\n"
           "|---|---:|---|---|\n";
    for (const SeedGroup::Against& a : g.against) {
      out << "| " << results[a.policy].name << " | " << fixed(a.seeds.mean) << " | [" << fixed(a.seeds.low) << ", "
          << fixed(a.seeds.high) << "] | [" << fixed(a.windows.low) << ", " << fixed(a.windows.high) << "] |\n";
    }
  }
  if (!c.notes.empty()) {
    out << "\n";
    for (const std::string& note : c.notes) out << "- " << note << "\n";
  }
  return out.str();
}

namespace {

/// A number for the CSV files: NaN as an empty field.
std::string csv_number(double v) {
  if (std::isnan(v)) return "";
  std::ostringstream out;
  out.precision(17);
  out << v;
  return out.str();
}

nlohmann::json json_number(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }

void write_trajectories(const std::filesystem::path& file, const std::vector<PolicyResult>& results,
                        const std::vector<Trajectory>& trajectories) {
  std::ofstream csv(file);
  csv << "policy,step,row,mid,bid_quote,ask_quote,position,pnl,reward,action,bid_volume,ask_volume\n";
  for (std::size_t p = 0; p < trajectories.size(); ++p) {
    const Trajectory& t = trajectories[p];
    for (std::size_t k = 0; k < t.row.size(); ++k) {
      csv << '"' << results[p].name << "\"," << k << ',' << t.row[k] << ',' << csv_number(t.mid[k]) << ','
          << csv_number(t.bid_quote[k]) << ',' << csv_number(t.ask_quote[k]) << ',' << csv_number(t.position[k])
          << ',' << csv_number(t.pnl[k]) << ',' << csv_number(t.reward[k]) << ',' << t.action[k] << ','
          << csv_number(t.bid_volume[k]) << ',' << csv_number(t.ask_volume[k]) << '\n';
    }
  }
  if (!csv) throw Error("cannot write " + file.string());
}

}  // namespace

void write_report(const std::filesystem::path& dir, const ReportContext& c, const std::vector<PolicyResult>& results,
                  const std::vector<Trajectory>& trajectories) {
  MMSIM_ASSERT(trajectories.empty() || trajectories.size() == results.size(), "one trajectory per policy");
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
  json["agent"] = c.agent;
  json["seed_agents"] = c.seed_agents;
  json["windows"] = c.protocol.windows;
  json["steps"] = c.plan.steps;
  json["steps_requested"] = c.protocol.steps;
  json["distinct_rows"] = c.plan.distinct_rows;
  json["split_rows"] = c.plan.split_rows;
  json["window_starts"] = c.plan.starts;
  json["parameters"] = nlohmann::json::object();
  for (const auto& [name, value] : c.parameters) json["parameters"][name] = json_number(value);
  json["notes"] = c.notes;
  const PolicyResult* agent = find_agent(c, results);
  for (const PolicyResult& r : results) {
    const Summary s = summarize(r);
    nlohmann::json p;
    p["name"] = r.name;
    p["summary"] = {{"mean", s.mean},
                    {"std", s.stddev},
                    {"median", s.median},
                    {"q05", s.q05},
                    {"q95", s.q95},
                    {"worst", s.worst},
                    {"mean_over_std", s.mean_over_std},
                    {"pnl_mark_mean", s.pnl_mark},
                    {"mean_abs_position", s.mean_abs_position},
                    {"flat_share", s.flat_share},
                    {"fills", s.fills},
                    {"volume", s.volume},
                    {"mean_reward", s.mean_reward},
                    {"spread_capture", s.spread_capture},
                    {"inventory_pnl", s.inventory_pnl},
                    {"liquidation", s.liquidation},
                    {"fees", s.fees},
                    {"spread_per_unit", s.spread_per_unit},
                    {"spread_per_fill", s.spread_per_fill}};
    for (int h = 0; h < kMarkoutCount; ++h) {
      p["summary"]["markout_" + std::to_string(kMarkoutHorizons[h])] = json_number(s.markout[h]);
    }
    p["pnl"] = r.pnl;
    if (agent != nullptr && &r != agent) {
      const stats::PairedDifference d = stats::paired_difference(agent->pnl, r.pnl, c.seed);
      p["agent_minus_policy"] = {{"mean", d.mean}, {"ci95_low", d.low}, {"ci95_high", d.high}};
    }
    json["policies"].push_back(p);
  }
  if (c.seed_agents.size() >= 2) {
    const SeedGroup g = seed_group(c, results);
    nlohmann::json group = {{"mean", g.across.mean}, {"ci95_low", g.across.low}, {"ci95_high", g.across.high},
                            {"seed_means", g.means}};
    for (const SeedGroup::Against& a : g.against) {
      group["seeds_minus_policy"].push_back({{"policy", results[a.policy].name},
                                             {"mean", a.seeds.mean},
                                             {"ci95_across_seeds_low", a.seeds.low},
                                             {"ci95_across_seeds_high", a.seeds.high},
                                             {"ci95_across_windows_low", a.windows.low},
                                             {"ci95_across_windows_high", a.windows.high}});
    }
    json["across_seeds"] = group;
  }
  {
    std::ofstream out(dir / "report.json");
    out << json.dump(2) << "\n";
    if (!out) throw Error("cannot write " + (dir / "report.json").string());
  }
  std::ofstream csv(dir / "windows.csv");
  csv << "policy,window,start_row,pnl,pnl_mark,fills,volume,mean_abs_position,flat_share,mean_reward,"
         "spread_capture,inventory_pnl,liquidation,fees,markout_1,markout_10,markout_100\n";
  for (const PolicyResult& r : results) {
    for (std::size_t k = 0; k < r.pnl.size(); ++k) {
      csv << '"' << r.name << "\"," << k << ',' << c.plan.starts[k] << ',' << csv_number(r.pnl[k]) << ','
          << csv_number(r.pnl_mark[k]) << ',' << csv_number(r.fills[k]) << ',' << csv_number(r.volume[k]) << ','
          << csv_number(r.mean_abs_position[k]) << ',' << csv_number(r.flat_share[k]) << ','
          << csv_number(r.mean_reward[k]) << ',' << csv_number(r.spread_capture[k]) << ','
          << csv_number(r.inventory_pnl[k]) << ',' << csv_number(r.liquidation[k]) << ',' << csv_number(r.fees[k]);
      for (int h = 0; h < kMarkoutCount; ++h) csv << ',' << csv_number(r.markout[h][k]);
      csv << '\n';
    }
  }
  if (!csv) throw Error("cannot write " + (dir / "windows.csv").string());
  if (!trajectories.empty()) write_trajectories(dir / "trajectory.csv", results, trajectories);
}

}  // namespace mmsim::eval
