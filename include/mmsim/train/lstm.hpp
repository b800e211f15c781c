#pragma once
// The LSTM mid-move forecaster (docs/lstm.md): a one-layer LSTM over the
// normalised market features, a linear layer to C classes of the next mid
// move, trained with cross-entropy; its out-of-fold (walk-forward) forecasts
// over every row, cached on disk, become C extra feature columns.
// Device-generic: every function takes the torch::Device to compute on and
// returns host tensors.

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/rnn.h>
#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "mmsim/config/config.hpp"
#include "mmsim/data/book_tensor.hpp"
#include "mmsim/data/features.hpp"
#include "mmsim/data/splits.hpp"
#include "mmsim/train/lstm_config.hpp"

namespace mmsim::train {

/// Marks a row without a next move (the last row of its split range).
inline constexpr std::int64_t kNoMove = std::numeric_limits<std::int64_t>::min();

/// What the forecaster reads, on the host.
struct LstmData {
  torch::Tensor inputs;                     ///< [T, F] float32 CPU, owned: the normalised market features
  std::vector<std::int64_t> next_move;      ///< [T] mid move from row t to t + 1 in half-ticks; kNoMove unless
                                            ///< t + 1 lies in the same split range as t
  std::vector<std::int64_t> last_move;      ///< [T] mid move into row t in half-ticks; 0 on a session's first row
  std::vector<std::int64_t> session_begin;  ///< [S + 1] first row of each session, then T
  Splits splits;
  std::int64_t rows() const { return inputs.size(0); }
  std::int64_t columns() const { return inputs.size(1); }
};

/// `table` must be normalised and hold only the market columns (no LSTM
/// columns): the forecaster's inputs never include its own outputs.
LstmData make_lstm_data(const BookTensor& book, const FeatureTable& table, const Splits& splits);

/// One-layer LSTM (hidden units H) and a linear layer to C logits.
class LstmNetImpl : public torch::nn::Module {
 public:
  LstmNetImpl(std::int64_t inputs, std::int64_t hidden, std::int64_t classes);

  /// (h, c), each [1, B, H].
  using State = std::tuple<torch::Tensor, torch::Tensor>;
  /// `x` [L, B, inputs] (time first) -> logits [L, B, C]. `state` is the
  /// state before x[0] (empty = zeros) and is replaced by the state after x[L - 1].
  torch::Tensor forward(const torch::Tensor& x, std::optional<State>* state);

 private:
  torch::nn::LSTM lstm_{nullptr};
  torch::nn::Linear head_{nullptr};
};
TORCH_MODULE(LstmNet);

/// One epoch of a fit.
struct LstmEpoch {
  int epoch = 0;                  ///< 1-based
  double train_cross_entropy = 0;  ///< mean over the epoch's chunks, in nats
  double train_accuracy = 0;
  double holdout_cross_entropy = 0;
  double holdout_accuracy = 0;
  double seconds = 0;
  bool best = false;  ///< lowest holdout cross-entropy so far (these weights are kept)
};
using LstmProgress = std::function<void(const LstmEpoch&)>;

struct LstmFit {
  LstmNet net{nullptr};
  std::vector<LstmEpoch> epochs;
  int best_epoch = 0;
};

/// Fits a net with weights drawn from `seed` on the rows of `fit` and keeps
/// the epoch with the lowest cross-entropy on the rows of `holdout`
/// (patience: config.patience epochs). A row's target is the class of its
/// next move and is used only when row t + 1 lies in the same range of
/// `fit` (or `holdout`), so the fit reads no row outside its ranges'
/// rows and the rows before them. Training: the fit ranges are cut into
/// about batch_size contiguous streams that step together in chunks of
/// sequence_length rows, the state carried from chunk to chunk (truncated
/// back-propagation through time), as the forecast carries it.
LstmFit fit_lstm(const LstmData& data, const std::vector<RowRange>& fit, const std::vector<RowRange>& holdout,
                 const LstmConfig& config, std::uint64_t seed, torch::Device device, const LstmProgress& progress = {});

/// Softmax probabilities [T, C] float32 CPU of `net` at each row: the forecast
/// at row t reads rows s0..t of its session (state zero at s0). Rows at or
/// after `end_row` (-1 = T) are not computed and hold 0.
torch::Tensor lstm_forecast(LstmNet net, const LstmData& data, torch::Device device, std::int64_t end_row = -1);

/// The models behind the columns.
struct LstmModels {
  LstmNet full{nullptr};       ///< fitted on the training split, early-stopped on the validation split
  std::vector<LstmNet> folds;  ///< folds[k - 1]: fitted on the training rows of blocks < k, k = 1..K-1
  WalkForwardBlocks blocks;
  std::uint64_t data_key = 0;  ///< lstm_data_key() of the data they were fitted on
  std::vector<LstmFit> fits;   ///< the training history (full first), empty for loaded models
};

/// Hash of what the models depend on: the inputs, the moves, the sessions and
/// splits, and the class and architecture settings.
std::uint64_t lstm_data_key(const LstmData& data, const LstmConfig& config);

/// Fits the full model and the K - 1 fold models, printing progress to `out`.
/// Fold k holds out the last fold_validation_fraction of its rows for early
/// stopping. Throws ConfigError when a fold has too few rows.
LstmModels train_lstm_models(const LstmData& data, const LstmConfig& config, std::uint64_t seed, torch::Device device,
                             std::ostream& out);

/// The columns [T, C] float32 CPU: on the training rows of block k >= 1 the
/// forecast of fold k, on block 0 the uniform 1 / C (no earlier rows to fit
/// on; these rows leave the agent's training split), elsewhere the full model.
/// `full_forecast`: lstm_forecast(models.full, ...) when already computed.
torch::Tensor lstm_columns(const LstmModels& models, const LstmData& data, torch::Device device,
                           const torch::Tensor& full_forecast = {});

/// The training split without walk-forward block 0: the rows on which the
/// agent trains when it sees the LSTM columns.
Split lstm_agent_train(const Split& train, const WalkForwardBlocks& blocks);

/// Writes the models (model.pt, fold_<k>.pt, lstm.txt) and `extra_files`
/// (name -> content) into `dir` atomically: a temporary directory renamed
/// into place.
void save_lstm_models(const LstmModels& models, const LstmConfig& config, std::int64_t inputs,
                      const std::filesystem::path& dir, const std::map<std::string, std::string>& extra_files = {});

/// Loads the models of `dir` for `data`. Throws Error telling to run
/// `mmsim lstm train` when there are none, when they are damaged, or when
/// they were fitted on other data, features, splits or lstm settings.
LstmModels load_lstm_models(const std::filesystem::path& dir, const LstmConfig& config, const LstmData& data);

enum class LstmCacheOutcome { read, built, rebuilt_damaged, uncached };

struct LstmColumns {
  torch::Tensor probabilities;  ///< [T, C] float32 CPU
  std::filesystem::path file;   ///< the cache file (empty when uncached)
  LstmCacheOutcome outcome = LstmCacheOutcome::uncached;
  std::string note;             ///< why a damaged file was rebuilt
};

/// The columns of the models saved in `model_dir`, from the cache file in
/// `cache_dir` keyed by a hash of the model files and the data key, or
/// computed (from `precomputed` when given) and written there. A damaged
/// cache file is reported in `note` and rebuilt. `cache_dir` empty: no cache.
LstmColumns cached_lstm_columns(const std::filesystem::path& model_dir, const LstmModels& models,
                                const LstmData& data, const std::filesystem::path& cache_dir, torch::Device device,
                                const torch::Tensor& precomputed = {});

/// Scores of a forecast over rows with a next move.
struct LstmScores {
  std::int64_t rows = 0;        ///< rows with a next move
  std::int64_t moved_rows = 0;  ///< of those, rows where the mid moved
  double cross_entropy = 0;     ///< mean -log p(true class), nats; NaN for forecasts without probabilities
  double accuracy = 0;          ///< most probable class == true class
  double direction_accuracy = 0;  ///< over moved rows: sign of the most probable class's move == sign of the move
};

/// Scores of probabilities [T, C] on the rows of `ranges`.
LstmScores score_forecast(const torch::Tensor& probabilities, const LstmData& data,
                          const std::vector<RowRange>& ranges, const LstmConfig& config);
/// The class frequencies of the training split's targets (add-one smoothed), [C] float64.
torch::Tensor training_class_frequencies(const LstmData& data, const LstmConfig& config);
/// Baseline: always the training split's most frequent class (cross-entropy of its frequencies).
LstmScores score_most_frequent(const LstmData& data, const std::vector<RowRange>& ranges, const LstmConfig& config);
/// Baseline: the class and sign of the last move (no cross-entropy).
LstmScores score_last_move(const LstmData& data, const std::vector<RowRange>& ranges, const LstmConfig& config);

/// For `mmsim train` and `mmsim eval` with features.lstm: appends the LSTM
/// columns (lstm_column_names) of the models in lstm_dir_of(config) to
/// `table` as probabilities (their mean 0 and scale 1 in the table's
/// statistics), and returns the splits with that training split (lstm_agent_train).
/// Throws Error telling to run `mmsim lstm train` when no fitting model exists.
Splits add_lstm_features(const Config& config, const BookTensor& book, FeatureTable& table, const Splits& splits,
                         torch::Device device, std::ostream& out);

}  // namespace mmsim::train
