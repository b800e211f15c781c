#include "mmsim/train/schedule.hpp"

#include <algorithm>
#include <cmath>

#include "mmsim/core/error.hpp"

namespace mmsim::train {

double Schedule::at(double frame) const {
  MMSIM_ASSERT(!frames.empty() && frames.size() == values.size(), "schedule not validated");
  if (frame <= frames.front()) return values.front();
  if (frame >= frames.back()) return values.back();
  // First point strictly after `frame`; the segment is [k - 1, k].
  const auto k = static_cast<std::size_t>(std::upper_bound(frames.begin(), frames.end(), frame) - frames.begin());
  if (kind == Kind::step) return values[k - 1];
  const double t = (frame - frames[k - 1]) / (frames[k] - frames[k - 1]);
  return values[k - 1] + t * (values[k] - values[k - 1]);
}

void validate(const Schedule& s, const std::string& key) {
  if (s.frames.empty()) throw ConfigError(key, "a schedule needs at least one point");
  if (s.frames.size() != s.values.size()) {
    throw ConfigError(key, std::to_string(s.frames.size()) + " frames but " + std::to_string(s.values.size()) +
                               " values; give one value per frame");
  }
  for (std::size_t k = 0; k < s.frames.size(); ++k) {
    if (!std::isfinite(s.frames[k]) || s.frames[k] < 0) {
      throw ConfigError(key, "frame " + std::to_string(s.frames[k]) + " must be finite and >= 0");
    }
    if (k > 0 && !(s.frames[k] > s.frames[k - 1])) {
      throw ConfigError(key, "frames must increase strictly, got " + std::to_string(s.frames[k - 1]) + " then " +
                                 std::to_string(s.frames[k]));
    }
    if (!std::isfinite(s.values[k])) throw ConfigError(key, "values must be finite");
  }
}

double decayed_learning_rate(double initial, double decay, double floor, std::int64_t updates) {
  const double lr = initial * std::pow(decay, static_cast<double>(updates));
  return std::max(lr, floor);
}

}  // namespace mmsim::train

#include "mmsim/train/train_config.hpp"

namespace mmsim::train {

void validate(const TrainConfig& c) {
  auto require = [](bool ok, const char* key, const std::string& problem) {
    if (!ok) throw ConfigError(key, problem);
  };
  require(c.num_envs >= 1, "train.num_envs", "must be >= 1");
  require(c.rollout_steps >= 1, "train.rollout_steps", "must be >= 1");
  require(c.total_frames >= 1, "train.total_frames", "must be >= 1");
  require(c.gamma > 0 && c.gamma <= 1, "train.gamma", "must be in (0, 1]");
  require(c.learning_rate > 0 && std::isfinite(c.learning_rate), "train.learning_rate", "must be > 0");
  require(c.learning_rate_decay > 0 && c.learning_rate_decay <= 1, "train.learning_rate_decay", "must be in (0, 1]");
  require(c.min_learning_rate >= 0 && c.min_learning_rate <= c.learning_rate, "train.min_learning_rate",
          "must be in [0, train.learning_rate]");
  validate(c.epsilon, "train.epsilon");
  for (double v : c.epsilon.values) require(v >= 0 && v <= 1, "train.epsilon", "values must be in [0, 1]");
  validate(c.beta, "train.beta");
  for (double v : c.beta.values) require(v >= 0, "train.beta", "values must be >= 0");
  require(c.clip_max > 0 && std::isfinite(c.clip_max), "train.clip_max", "must be > 0");
  require(c.shared >= 1 && c.policy_hidden >= 1 && c.value_hidden >= 1, "train.network", "widths must be >= 1");
  require(c.log_every_seconds > 0, "train.log_every_seconds", "must be > 0");
  require(c.metrics_every_updates >= 1, "train.metrics_every_updates", "must be >= 1");
  require(c.checkpoint_every_updates >= 1, "train.checkpoint_every_updates", "must be >= 1");
  require(c.eval_every_updates >= 0, "train.eval_every_updates", "must be >= 0 (0 = no evaluation)");
  require(c.eval_windows >= 1, "train.eval_windows", "must be >= 1");
  require(c.eval_steps >= 1, "train.eval_steps", "must be >= 1");
  require(!c.name.empty() && c.name.find('/') == std::string::npos, "train.name", "must be a plain folder name");
}

const char* to_string(ClipKind kind) { return kind == ClipKind::norm ? "norm" : "value"; }

}  // namespace mmsim::train
