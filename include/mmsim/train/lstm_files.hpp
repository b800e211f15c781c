#pragma once
// The LSTM forecaster's files (docs/lstm.md, "Cache"): the fitted models in
// their directory, and their feature columns cached in the data cache
// directory.

#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "mmsim/train/lstm_config.hpp"
#include "mmsim/train/lstm_data.hpp"
#include "mmsim/train/lstm_walk_forward.hpp"

namespace mmsim::train {

/// Writes the models (model.pt, fold_<k>.pt, lstm.txt) and `extra_files`
/// (name -> content) into `dir` atomically: a temporary directory renamed
/// into place.
void save_lstm_models(const LstmModels& models, const LstmConfig& config, std::int64_t inputs,
                      const std::filesystem::path& dir, const std::map<std::string, std::string>& extra_files = {});

/// Loads the models of `dir` for `data`, on the CPU. Throws Error telling to
/// run `mmsim lstm train` when there are none, when they are damaged, or when
/// they were fitted on other data, features, splits or lstm settings.
LstmModels load_lstm_models(const std::filesystem::path& dir, const LstmConfig& config, const LstmData& data);

/// How cached_lstm_columns got the columns: read from the cache file,
/// computed and written (the file was missing, or damaged), or computed with
/// the cache off.
enum class LstmCacheOutcome { read, built, rebuilt_damaged, uncached };

/// The LSTM feature columns and where they came from.
struct LstmColumns {
  torch::Tensor probabilities;  ///< [T, C] float32 CPU
  std::filesystem::path file;   ///< the cache file (empty when uncached)
  LstmCacheOutcome outcome = LstmCacheOutcome::uncached;
  std::string note;             ///< why a damaged file was rebuilt
};

/// The columns of the models saved in `model_dir`, from the cache file in
/// `cache_dir` keyed by a hash of the model files and the data key, or
/// computed on `device` (from `precomputed` when given) and written there. A
/// damaged cache file is reported in `note` and rebuilt. `cache_dir` empty:
/// no cache.
LstmColumns cached_lstm_columns(const std::filesystem::path& model_dir, const LstmModels& models,
                                const LstmData& data, const std::filesystem::path& cache_dir, torch::Device device,
                                const torch::Tensor& precomputed = {});

}  // namespace mmsim::train
