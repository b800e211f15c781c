#pragma once
// The market data every command and front end starts from: the book (through
// the binary cache), its feature table normalised with the training split's
// statistics, and the train/validation/test splits.

#include <filesystem>
#include <functional>
#include <string>

#include "mmsim/data/book_tensor.hpp"
#include "mmsim/data/features.hpp"
#include "mmsim/data/load.hpp"
#include "mmsim/data/splits.hpp"

namespace mmsim {

/// Everything the envs need from the data: the book, the normalised feature
/// table and the splits. Non-owning: the CPU backend reads them in place (they
/// must outlive the env); the CUDA backend copies what it needs to the device.
struct EnvData {
  const BookTensor* book = nullptr;
  const FeatureTable* features = nullptr;
  const Splits* splits = nullptr;
};

/// Where the feature table is computed. An empty `compute` is the CPU
/// reference (compute_features_cpu, then normalise_features).
struct FeatureBackend {
  std::string name = "cpu";  ///< as the data summary names it, e.g. "cuda (NVIDIA H100)"
  /// The table of `book` normalised with the statistics of the rows of `train`.
  std::function<FeatureTable(const BookTensor& book, const FeatureConfig& config, const Split& train)> compute;
};

/// A book, its normalised features and its splits, with where they came from.
struct MarketData {
  LoadedBook loaded;
  FeatureTable table;
  Splits splits;
  bool cached = false;      ///< loaded through the binary cache
  CacheOutcome cache;       ///< the cache file, read or built (when cached)
  double load_seconds = 0;  ///< wall-clock seconds of the book's loading
  std::string feature_backend = "cpu";  ///< FeatureBackend::name of the table
  double feature_seconds = 0;           ///< wall-clock seconds of the features and their normalisation

  /// Views of the members: valid while this object stays where it is.
  EnvData view() const { return {&loaded.book, &table, &splits}; }
};

/// Loads the book (through the cache in `cache_dir`; an empty path loads
/// without it), computes its features with `backend`, splits its rows (the
/// features' warm-up rows of each session belong to no split) and normalises
/// the features with the training split's statistics. Throws InputError for
/// bad files, ConfigError for impossible splits.
MarketData load_market(const LoadOptions& load, const std::filesystem::path& cache_dir, const FeatureConfig& features,
                       const SplitConfig& split, const FeatureBackend& backend = {});

}  // namespace mmsim
