#include "mmsim/train/lstm_files.hpp"

#include <torch/serialize.h>

#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

#include "data/file_io.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/core/files.hpp"
#include "mmsim/core/printf_format.hpp"

namespace mmsim::train {
namespace {

constexpr const char* kModelsMagic = "mmsim-lstm-models-1";
constexpr char kCacheMagic[8] = {'M', 'M', 'L', 'S', 'T', 'M', '0', '1'};

std::string hex(std::uint64_t v) { return format("%016llx", static_cast<unsigned long long>(v)); }

std::vector<std::filesystem::path> model_files(const std::filesystem::path& dir, int blocks) {
  std::vector<std::filesystem::path> files{dir / "model.pt"};
  for (int k = 1; k < blocks; ++k) files.push_back(dir / ("fold_" + std::to_string(k) + ".pt"));
  return files;
}

void write_file(const std::filesystem::path& file, const std::string& content) {
  std::ofstream out(file, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw Error("cannot write " + file.string());
}

}  // namespace

void save_lstm_models(const LstmModels& models, const LstmConfig& config, std::int64_t inputs,
                      const std::filesystem::path& dir, const std::map<std::string, std::string>& extra_files) {
  std::random_device entropy;
  const std::filesystem::path temporary = dir.string() + ".tmp" + std::to_string(entropy());
  std::filesystem::create_directories(temporary);
  const int K = models.blocks.count();
  const auto files = model_files(temporary, K);
  torch::save(models.full, files[0].string());
  for (int k = 1; k < K; ++k) torch::save(models.folds[static_cast<std::size_t>(k - 1)], files[k].string());
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
  std::uint64_t key = models.data_key;
  for (const auto& file : model_files(model_dir, models.blocks.count())) {
    const std::string bytes = detail::read_raw_file(file);
    key = detail::hash64(bytes, key);
  }
  const std::int64_t rows = data.rows();
  const std::int64_t classes = models.full->classes();
  result.file = cache_dir / ("lstm-" + hex(key) + ".bin");
  const std::size_t header = sizeof kCacheMagic + sizeof key + sizeof rows + sizeof classes;
  const std::size_t payload = static_cast<std::size_t>(rows * classes) * sizeof(float);
  if (std::filesystem::exists(result.file)) {
    const std::string bytes = detail::read_raw_file(result.file);
    std::string problem;
    std::uint64_t stored_key = 0, checksum = 0;
    std::int64_t stored_rows = 0, stored_classes = 0;
    if (bytes.size() != header + payload + sizeof checksum) {
      problem = "it holds " + std::to_string(bytes.size()) + " bytes, expected " +
                std::to_string(header + payload + sizeof checksum);
    } else {
      const char* p = bytes.data();
      std::memcpy(&stored_key, p + sizeof kCacheMagic, sizeof key);
      std::memcpy(&stored_rows, p + sizeof kCacheMagic + sizeof key, sizeof rows);
      std::memcpy(&stored_classes, p + sizeof kCacheMagic + sizeof key + sizeof rows, sizeof classes);
      std::memcpy(&checksum, p + header + payload, sizeof checksum);
      if (std::memcmp(p, kCacheMagic, sizeof kCacheMagic) != 0) {
        problem = "not an mmsim LSTM cache file";
      } else if (stored_key != key || stored_rows != rows || stored_classes != classes) {
        problem = "its header does not match its name";
      } else if (checksum != detail::hash64(p + header, payload)) {
        problem = "its checksum does not match";
      }
    }
    if (problem.empty()) {
      result.probabilities = torch::empty({rows, classes}, torch::kFloat32);
      std::memcpy(result.probabilities.data_ptr<float>(), bytes.data() + header, payload);
      result.outcome = LstmCacheOutcome::read;
      return result;
    }
    result.note = "the LSTM cache file " + result.file.string() + " is damaged (" + problem + "); rebuilt";
    result.outcome = LstmCacheOutcome::rebuilt_damaged;
  } else {
    result.outcome = LstmCacheOutcome::built;
  }
  result.probabilities = compute().contiguous();
  MMSIM_ASSERT(result.probabilities.size(0) == rows && result.probabilities.size(1) == classes,
               "LSTM columns of the wrong shape");
  std::string bytes(header + payload + sizeof(std::uint64_t), '\0');
  char* p = bytes.data();
  std::memcpy(p, kCacheMagic, sizeof kCacheMagic);
  std::memcpy(p + sizeof kCacheMagic, &key, sizeof key);
  std::memcpy(p + sizeof kCacheMagic + sizeof key, &rows, sizeof rows);
  std::memcpy(p + sizeof kCacheMagic + sizeof key + sizeof rows, &classes, sizeof classes);
  std::memcpy(p + header, result.probabilities.data_ptr<float>(), payload);
  const std::uint64_t checksum = detail::hash64(p + header, payload);
  std::memcpy(p + header + payload, &checksum, sizeof checksum);
  std::filesystem::create_directories(cache_dir);
  std::random_device entropy;
  const std::filesystem::path temporary = result.file.string() + ".tmp" + std::to_string(entropy());
  write_file(temporary, bytes);
  std::filesystem::rename(temporary, result.file);
  return result;
}

}  // namespace mmsim::train
