#include "mmsim/train/lstm_fit.hpp"

#include <torch/nn/functional/loss.h>
#include <torch/optim/adam.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <tuple>
#include <utility>

#include "mmsim/core/clock.hpp"
#include "mmsim/core/error.hpp"

namespace mmsim::train {
namespace {

std::int64_t end_of(const std::vector<RowRange>& ranges) {
  std::int64_t end = 0;
  for (const RowRange& r : ranges) end = std::max(end, r.end);
  return end;
}

/// Cross-entropy and accuracy of probabilities [T, C] against targets [T] (-1 skipped).
std::pair<double, double> holdout_scores(const torch::Tensor& probabilities, const torch::Tensor& targets) {
  const torch::Tensor valid = targets.ge(0);
  const std::int64_t count = valid.sum().item<std::int64_t>();
  if (count == 0) return {std::nan(""), std::nan("")};
  const torch::Tensor rows = valid.nonzero().squeeze(1);
  const torch::Tensor p = probabilities.index_select(0, rows).to(torch::kFloat64);
  const torch::Tensor y = targets.index_select(0, rows);
  const double ce = -p.gather(1, y.unsqueeze(1)).clamp_min(1e-12).log().mean().item<double>();
  const double accuracy = p.argmax(1).eq(y).to(torch::kFloat64).mean().item<double>();
  return {ce, accuracy};
}

/// clip_grad_norm_'s arithmetic without its host read of the norm (a
/// synchronisation per chunk on a GPU).
void clip_gradient_norm(const std::vector<torch::Tensor>& parameters, double max_norm) {
  std::vector<torch::Tensor> norms;
  for (const torch::Tensor& p : parameters) {
    if (p.grad().defined()) norms.push_back(p.grad().norm(2));
  }
  if (norms.empty()) return;
  const torch::Tensor total = norms.size() == 1 ? norms[0] : torch::stack(norms).norm(2);
  const torch::Tensor scale = torch::clamp(max_norm / (total + 1e-6), std::nullopt, 1.0);
  for (const torch::Tensor& p : parameters) {
    if (p.grad().defined()) p.grad().mul_(scale);
  }
}

}  // namespace

LstmFit fit_lstm(const LstmData& data, const std::vector<RowRange>& fit, const std::vector<RowRange>& holdout,
                 const LstmConfig& config, std::uint64_t seed, torch::Device device, const LstmProgress& progress) {
  use_full_float32_lstm(device);
  const std::int64_t classes = lstm_class_count(config);
  const torch::Tensor fit_targets = lstm_targets_within(data, fit, config);
  const torch::Tensor holdout_targets = lstm_targets_within(data, holdout, config);
  if (fit_targets.ge(0).sum().item<std::int64_t>() == 0) throw Error("the LSTM has no training rows with a next move");

  // Contiguous streams, about batch_size of them, in proportion to the ranges' rows.
  const std::int64_t total = Split{fit}.rows();
  std::vector<RowRange> streams;
  for (const RowRange& r : fit) {
    const std::int64_t count =
        std::clamp<std::int64_t>(std::llround(static_cast<double>(config.batch_size) *
                                              static_cast<double>(r.size()) / static_cast<double>(total)),
                                 1, r.size());
    const std::int64_t length = (r.size() + count - 1) / count;
    for (std::int64_t b = r.begin; b < r.end; b += length) streams.push_back({b, std::min(b + length, r.end)});
  }
  std::int64_t longest = 0;
  for (const RowRange& s : streams) longest = std::max(longest, s.size());
  const auto n = static_cast<std::int64_t>(streams.size());
  // [longest, n] rows and targets; a stream shorter than the longest is padded
  // at its end (row 0, no target), which its earlier outputs never see.
  torch::Tensor index = torch::zeros({longest, n}, torch::kInt64);
  torch::Tensor targets = torch::full({longest, n}, -1, torch::kInt64);
  {
    auto rows = index.accessor<std::int64_t, 2>();
    auto classes_of = targets.accessor<std::int64_t, 2>();
    const std::int64_t* fit_class = fit_targets.data_ptr<std::int64_t>();
    for (std::int64_t j = 0; j < n; ++j) {
      for (std::int64_t i = 0; i < streams[j].size(); ++i) {
        rows[i][j] = streams[j].begin + i;
        classes_of[i][j] = fit_class[streams[j].begin + i];
      }
    }
  }
  const torch::Tensor inputs = data.inputs.to(device);
  index = index.to(device);
  targets = targets.to(device);

  torch::manual_seed(seed);
  LstmFit result;
  result.net = LstmNet(data.columns(), config.hidden, classes);
  result.net->to(device);
  torch::optim::Adam optimizer(result.net->parameters(), torch::optim::AdamOptions(config.learning_rate));
  std::vector<torch::Tensor> best;
  double best_ce = std::numeric_limits<double>::infinity();
  const std::int64_t holdout_end = end_of(holdout);
  namespace F = torch::nn::functional;
  for (int epoch = 1; epoch <= config.epochs; ++epoch) {
    const auto start = SteadyClock::now();
    result.net->train();
    std::optional<LstmNetImpl::State> state;
    torch::Tensor loss_sum = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat64).device(device));
    torch::Tensor correct = torch::zeros({}, torch::TensorOptions().dtype(torch::kInt64).device(device));
    torch::Tensor counted = torch::zeros({}, torch::TensorOptions().dtype(torch::kInt64).device(device));
    for (std::int64_t begin = 0; begin < longest; begin += config.sequence_length) {
      const std::int64_t length = std::min<std::int64_t>(config.sequence_length, longest - begin);
      const torch::Tensor rows = index.narrow(0, begin, length);
      const torch::Tensor y = targets.narrow(0, begin, length).reshape({-1});
      const torch::Tensor x = inputs.index_select(0, rows.reshape({-1})).view({length, n, data.columns()});
      const torch::Tensor logits = result.net->forward(x, &state).reshape({-1, classes});
      state = LstmNetImpl::State{std::get<0>(*state).detach(), std::get<1>(*state).detach()};
      const torch::Tensor valid = y.ge(0);
      const torch::Tensor count = valid.sum();
      const torch::Tensor loss_total =
          F::cross_entropy(logits, y, F::CrossEntropyFuncOptions().ignore_index(-1).reduction(torch::kSum));
      // Mean over the chunk's targets; a chunk of padding only gives a zero loss.
      const torch::Tensor loss = loss_total / count.clamp_min(1).to(loss_total.dtype());
      optimizer.zero_grad();
      loss.backward();
      clip_gradient_norm(result.net->parameters(), config.clip_norm);
      optimizer.step();
      loss_sum += loss_total.detach().to(torch::kFloat64);
      correct += logits.argmax(1).eq(y).logical_and(valid).sum();
      counted += count;
    }
    LstmEpoch e;
    e.epoch = epoch;
    const double count = static_cast<double>(counted.item<std::int64_t>());
    e.train_cross_entropy = loss_sum.item<double>() / count;
    e.train_accuracy = static_cast<double>(correct.item<std::int64_t>()) / count;
    const torch::Tensor probabilities = lstm_forecast(result.net, data, device, holdout_end);
    std::tie(e.holdout_cross_entropy, e.holdout_accuracy) = holdout_scores(probabilities, holdout_targets);
    e.best = e.holdout_cross_entropy < best_ce || std::isnan(e.holdout_cross_entropy);
    if (e.best) {
      best_ce = std::isnan(e.holdout_cross_entropy) ? best_ce : e.holdout_cross_entropy;
      best.clear();
      for (const auto& p : result.net->parameters()) best.push_back(p.detach().clone());
      result.best_epoch = epoch;
    }
    e.seconds = seconds_since(start);
    result.epochs.push_back(e);
    if (progress) progress(e);
    if (epoch - result.best_epoch >= config.patience) break;
  }
  {
    torch::NoGradGuard no_grad;
    const auto parameters = result.net->parameters();
    for (std::size_t k = 0; k < parameters.size(); ++k) parameters[k].copy_(best[k]);
  }
  result.net->eval();
  return result;
}

}  // namespace mmsim::train
