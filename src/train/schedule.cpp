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

double decayed_learning_rate(double initial, double decay, double floor, std::int64_t updates) {
  const double lr = initial * std::pow(decay, static_cast<double>(updates));
  return std::max(lr, floor);
}

}  // namespace mmsim::train
