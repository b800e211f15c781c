#pragma once
// The LSTM mid-move forecaster's network (docs/lstm.md, "Model") and its
// forecast over every row. Device-generic: the forecast computes on the
// torch::Device it is given and returns host tensors.

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/rnn.h>
#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <tuple>

#include "mmsim/train/lstm_data.hpp"

namespace mmsim::train {

/// One-layer LSTM (hidden units H) and a linear layer to C logits.
class LstmNetImpl : public torch::nn::Module {
 public:
  LstmNetImpl(std::int64_t inputs, std::int64_t hidden, std::int64_t classes);

  /// (h, c), each [1, B, H].
  using State = std::tuple<torch::Tensor, torch::Tensor>;
  /// `x` [L, B, inputs] (time first) -> logits [L, B, C]. `state` is the
  /// state before x[0] (empty = zeros) and is replaced by the state after x[L - 1].
  torch::Tensor forward(const torch::Tensor& x, std::optional<State>* state);

  /// C, the logits per row.
  std::int64_t classes() const;

 private:
  torch::nn::LSTM lstm_{nullptr};
  torch::nn::Linear head_{nullptr};
};
TORCH_MODULE(LstmNet);

/// Makes LSTMs on `device` compute in full float32: cuDNN runs them in TF32
/// unless told otherwise. Process-wide; a no-op on the CPU.
void use_full_float32_lstm(const torch::Device& device);

/// Softmax probabilities [T, C] float32 CPU of `net` at each row: the forecast
/// at row t reads rows s0..t of its session (state zero at s0). Rows at or
/// after `end_row` (-1 = T) are not computed and hold 0.
torch::Tensor lstm_forecast(LstmNet net, const LstmData& data, torch::Device device, std::int64_t end_row = -1);

}  // namespace mmsim::train
