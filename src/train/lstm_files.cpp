#include "mmsim/train/lstm_files.hpp"

#include <torch/serialize.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "data/file_io.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/core/files.hpp"
#include "mmsim/core/printf_format.hpp"
#include "mmsim/train/torch_files.hpp"

namespace mmsim::train {
namespace {

constexpr const char* kModelsMagic = "mmsim-lstm-models-1";
constexpr char kCacheMagic[8] = {'M', 'M', 'L', 'S', 'T', 'M', '0', '1'};

std::string hex(std::uint64_t v) { return format("%016llx", static_cast<unsigned long long>(v)); }

/// The files of the models of `blocks` walk-forward blocks in `dir`: model.pt, then fold_<k>.pt.
std::vector<std::filesystem::path> model_files(const std::filesystem::path& dir, int blocks) {
  std::vector<std::filesystem::path> files{dir / "model.pt"};
  for (int k = 1; k < blocks; ++k) files.push_back(dir / ("fold_" + std::to_string(k) + ".pt"));
  return files;
}

/// A column cache file: kCacheMagic, the key (uint64), rows and classes
/// (int64), the values [rows, classes] float32, then hash64 of the values.
struct ColumnsFile {
  std::uint64_t key = 0;
  std::int64_t rows = 0;
  std::int64_t classes = 0;

  std::size_t header() const { return sizeof kCacheMagic + sizeof key + sizeof rows + sizeof classes; }
  std::size_t payload() const { return static_cast<std::size_t>(rows * classes) * sizeof(float); }
  std::size_t size() const { return header() + payload() + sizeof(std::uint64_t); }
};

/// Reads the values of `file` into `probabilities` [rows, classes] float32
/// CPU when its header and checksum match `layout`; returns why not, or an
/// empty string.
std::string read_columns_file(const std::filesystem::path& file, const ColumnsFile& layout,
                              torch::Tensor* probabilities) {
  const std::string bytes = detail::read_raw_file(file);
  if (bytes.size() != layout.size()) {
    return "it holds " + std::to_string(bytes.size()) + " bytes, expected " + std::to_string(layout.size());
  }
  const char* p = bytes.data();
  ColumnsFile stored;
  std::uint64_t checksum = 0;
  std::memcpy(&stored.key, p + sizeof kCacheMagic, sizeof stored.key);
  std::memcpy(&stored.rows, p + sizeof kCacheMagic + sizeof stored.key, sizeof stored.rows);
  std::memcpy(&stored.classes, p + sizeof kCacheMagic + sizeof stored.key + sizeof stored.rows, sizeof stored.classes);
  std::memcpy(&checksum, p + layout.header() + layout.payload(), sizeof checksum);
  if (std::memcmp(p, kCacheMagic, sizeof kCacheMagic) != 0) return "not an mmsim LSTM cache file";
  if (stored.key != layout.key || stored.rows != layout.rows || stored.classes != layout.classes) {
    return "its header does not match its name";
  }
  if (checksum != detail::hash64(p + layout.header(), layout.payload())) return "its checksum does not match";
  *probabilities = torch::empty({layout.rows, layout.classes}, torch::kFloat32);
  std::memcpy(probabilities->data_ptr<float>(), p + layout.header(), layout.payload());
  return {};
}

/// Writes `probabilities` (contiguous, [rows, classes] float32 CPU) as
/// `layout` says into `file` atomically: a temporary file renamed into place.
void write_columns_file(const std::filesystem::path& file, const ColumnsFile& layout,
                        const torch::Tensor& probabilities) {
  std::string bytes(layout.size(), '\0');
  char* p = bytes.data();
  std::memcpy(p, kCacheMagic, sizeof kCacheMagic);
  std::memcpy(p + sizeof kCacheMagic, &layout.key, sizeof layout.key);
  std::memcpy(p + sizeof kCacheMagic + sizeof layout.key, &layout.rows, sizeof layout.rows);
  std::memcpy(p + sizeof kCacheMagic + sizeof layout.key + sizeof layout.rows, &layout.classes,
              sizeof layout.classes);
  std::memcpy(p + layout.header(), probabilities.data_ptr<float>(), layout.payload());
  const std::uint64_t checksum = detail::hash64(p + layout.header(), layout.payload());
  std::memcpy(p + layout.header() + layout.payload(), &checksum, sizeof checksum);
  write_file_atomically(file, {bytes});
}

}  // namespace

void save_lstm_models(const LstmModels& models, const LstmConfig& config, std::int64_t inputs,
                      const std::filesystem::path& dir, const std::map<std::string, std::string>& extra_files) {
  const std::filesystem::path temporary = temporary_path_for(dir);
  std::filesystem::create_directories(temporary);
  const int K = models.blocks.count();
  const auto files = model_files(temporary, K);
  save_torch(models.full, files[0]);
  for (int k = 1; k < K; ++k) save_torch(models.folds[static_cast<std::size_t>(k - 1)], files[k]);
  std::ostringstream meta;
  meta << kModelsMagic << '\n'
       << "data_key " << hex(models.data_key) << '\n'
       << "inputs " << inputs << '\n'
       << "hidden " << config.hidden << '\n'
       << "classes " << lstm_class_count(config) << '\n'
       << "blocks";
  for (std::int64_t b : models.blocks.begin) meta << ' ' << b;
  meta << '\n';
  write_file(temporary / "lstm.txt", meta.str());
  for (const auto& [name, content] : extra_files) write_file(temporary / name, content);
  replace_directory(temporary, dir);
}

LstmModels load_lstm_models(const std::filesystem::path& dir, const LstmConfig& config, const LstmData& data) {
  const std::string retrain = ": run `mmsim lstm train` with this config first";
  std::ifstream meta(dir / "lstm.txt");
  if (!meta) throw Error("no LSTM model in " + dir.string() + retrain);
  std::string magic, label, key;
  std::int64_t inputs = 0, hidden = 0, classes = 0;
  meta >> magic >> label >> key;
  if (magic != kModelsMagic || label != "data_key") throw Error(dir.string() + "/lstm.txt is damaged" + retrain);
  meta >> label >> inputs >> label >> hidden >> label >> classes >> label;
  LstmModels models;
  for (std::int64_t b; meta >> b;) models.blocks.begin.push_back(b);
  if (label != "blocks" || models.blocks.count() < 2) throw Error(dir.string() + "/lstm.txt is damaged" + retrain);
  models.data_key = lstm_data_key(data, config);
  if (key != hex(models.data_key) || inputs != data.columns() || hidden != config.hidden ||
      classes != lstm_class_count(config)) {
    throw Error("the LSTM models in " + dir.string() +
                " were fitted on other data, features or splits, or with other lstm.hidden, "
                "lstm.max_move_half_ticks, lstm.class_width_half_ticks or lstm.walk_forward_blocks" +
                retrain);
  }
  const auto files = model_files(dir, models.blocks.count());
  auto load = [&](const std::filesystem::path& file) {
    LstmNet net(inputs, hidden, classes);
    try {
      torch::load(net, file.string());
    } catch (const c10::Error& e) {
      throw Error("LSTM model " + file.string() + " is missing or damaged (" + e.what_without_backtrace() + ")" +
                  retrain);
    }
    net->eval();
    return net;
  };
  models.full = load(files[0]);
  for (std::size_t k = 1; k < files.size(); ++k) models.folds.push_back(load(files[k]));
  return models;
}

LstmColumns cached_lstm_columns(const std::filesystem::path& model_dir, const LstmModels& models,
                                const LstmData& data, const std::filesystem::path& cache_dir, torch::Device device,
                                const torch::Tensor& precomputed) {
  LstmColumns result;
  auto compute = [&] { return precomputed.defined() ? precomputed : lstm_columns(models, data, device); };
  if (cache_dir.empty()) {
    result.probabilities = compute();
    return result;
  }
  ColumnsFile layout;
  layout.key = models.data_key;
  for (const auto& file : model_files(model_dir, models.blocks.count())) {
    const std::string bytes = detail::read_raw_file(file);
    layout.key = detail::hash64(bytes, layout.key);
  }
  layout.rows = data.rows();
  layout.classes = models.full->classes();
  result.file = cache_dir / ("lstm-" + hex(layout.key) + ".bin");
  if (std::filesystem::exists(result.file)) {
    const std::string problem = read_columns_file(result.file, layout, &result.probabilities);
    if (problem.empty()) {
      result.outcome = LstmCacheOutcome::read;
      return result;
    }
    result.note = "the LSTM cache file " + result.file.string() + " is damaged (" + problem + "); rebuilt";
    result.outcome = LstmCacheOutcome::rebuilt_damaged;
  } else {
    result.outcome = LstmCacheOutcome::built;
  }
  result.probabilities = compute().contiguous();
  MMSIM_ASSERT(result.probabilities.size(0) == layout.rows && result.probabilities.size(1) == layout.classes,
               "LSTM columns of the wrong shape");
  std::filesystem::create_directories(cache_dir);
  write_columns_file(result.file, layout, result.probabilities);
  return result;
}

}  // namespace mmsim::train
