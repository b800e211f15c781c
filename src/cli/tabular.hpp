#pragma once
// `mmsim tabular`: the notebook's tabular learners (docs/notebook.md).

#include <iosfwd>
#include <string>

#include "mmsim/config/config.hpp"

namespace mmsim::cli {

struct TabularOptions {
  std::string device = "cpu";  ///< cpu or cuda: where the learners train
  std::string runs_dir = "runs";
  bool plots = true;
};

/// Trains, evaluates and writes runs/<tabular.name>/ with its plots; returns the exit status.
int run_tabular(const Config& config, const TabularOptions& options, std::ostream& out);

}  // namespace mmsim::cli
