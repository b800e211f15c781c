#include "mmsim/train/lstm_net.hpp"

#include <ATen/Context.h>
#include <torch/utils.h>

#include <algorithm>

namespace mmsim::train {
namespace {

/// Rows per forward call of a forecast: bounds the memory of long sessions.
constexpr std::int64_t kForecastChunk = 65536;

}  // namespace

LstmNetImpl::LstmNetImpl(std::int64_t inputs, std::int64_t hidden, std::int64_t classes) {
  lstm_ = register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(inputs, hidden).num_layers(1)));
  head_ = register_module("head", torch::nn::Linear(hidden, classes));
}

torch::Tensor LstmNetImpl::forward(const torch::Tensor& x, std::optional<State>* state) {
  auto [output, next] = state->has_value() ? lstm_->forward(x, **state) : lstm_->forward(x);
  *state = next;
  return head_->forward(output);
}

std::int64_t LstmNetImpl::classes() const { return head_->options.out_features(); }

// Full float32 keeps a forecast made on the GPU within float rounding of the
// CPU's, so the cached columns do not depend on where they were computed.
void use_full_float32_lstm(const torch::Device& device) {
  if (device.is_cuda()) {
    at::globalContext().setFloat32Precision(at::Float32Backend::CUDA, at::Float32Op::RNN, at::Float32Precision::IEEE);
  }
}

torch::Tensor lstm_forecast(LstmNet net, const LstmData& data, torch::Device device, std::int64_t end_row) {
  use_full_float32_lstm(device);
  torch::NoGradGuard no_grad;
  const bool was_training = net->is_training();
  net->eval();
  net->to(device);
  if (end_row < 0 || end_row > data.rows()) end_row = data.rows();
  torch::Tensor out = torch::zeros({data.rows(), net->classes()}, torch::kFloat32);
  for (std::size_t s = 0; s + 1 < data.session_begin.size(); ++s) {
    const std::int64_t begin = data.session_begin[s], end = std::min(data.session_begin[s + 1], end_row);
    std::optional<LstmNetImpl::State> state;
    for (std::int64_t b = begin; b < end; b += kForecastChunk) {
      const std::int64_t length = std::min(kForecastChunk, end - b);
      const torch::Tensor x = data.inputs.narrow(0, b, length).unsqueeze(1).to(device);
      const torch::Tensor logits = net->forward(x, &state).squeeze(1);
      out.narrow(0, b, length).copy_(torch::softmax(logits, 1).to(torch::kCPU));
    }
  }
  if (was_training) net->train();
  return out;
}

}  // namespace mmsim::train
