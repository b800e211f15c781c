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
