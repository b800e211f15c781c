#include "mmsim/train/lstm.hpp"

#include <ATen/Context.h>
#include <torch/nn/functional/loss.h>
#include <torch/optim/adam.h>
#include <torch/serialize.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "data/file_io.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/core/files.hpp"
#include "mmsim/core/printf_format.hpp"

namespace mmsim::train {
namespace {

constexpr const char* kModelsMagic = "mmsim-lstm-models-1";
constexpr char kCacheMagic[8] = {'M', 'M', 'L', 'S', 'T', 'M', '0', '1'};
/// Rows per forward call of a forecast: bounds the memory of long sessions.
constexpr std::int64_t kForecastChunk = 65536;

std::string hex(std::uint64_t v) { return format("%016llx", static_cast<unsigned long long>(v)); }

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Class targets [T] int64 (-1 = none) of the rows of `ranges` whose next row
/// lies in the same range.
torch::Tensor targets_within(const LstmData& data, const std::vector<RowRange>& ranges, const LstmConfig& config) {
  torch::Tensor targets = torch::full({data.rows()}, -1, torch::kInt64);
  auto* t = targets.data_ptr<std::int64_t>();
  for (const RowRange& r : ranges) {
    for (std::int64_t row = r.begin; row + 1 < r.end; ++row) {
      if (data.next_move[row] != kNoMove) t[row] = lstm_class_of_move(data.next_move[row], config);
    }
  }
  return targets;
}

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

std::uint64_t hash_vector(const std::vector<std::int64_t>& v, std::uint64_t seed) {
  return detail::hash64(v.data(), v.size() * sizeof(std::int64_t), seed);
}

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

std::string describe(const LstmEpoch& e, const std::string& name, int epochs) {
  return format("lstm %-7s epoch %3d/%d  train CE %.4f acc %.3f  holdout CE %.4f acc %.3f  %.1f s%s\n",
                       name.c_str(), e.epoch, epochs, e.train_cross_entropy, e.train_accuracy,
                       e.holdout_cross_entropy, e.holdout_accuracy, e.seconds, e.best ? "  <- best" : "");
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

/// cuDNN runs LSTMs in TF32 unless told otherwise; full float32 keeps a
/// forecast made on the GPU within float rounding of the CPU's (the cached
/// columns do not depend on where they were computed).
void use_full_float32_lstm(const torch::Device& device) {
  if (device.is_cuda()) {
    at::globalContext().setFloat32Precision(at::Float32Backend::CUDA, at::Float32Op::RNN, at::Float32Precision::IEEE);
  }
}

}  // namespace

LstmData make_lstm_data(const BookTensor& book, const FeatureTable& table, const Splits& splits) {
  if (!table.normalised() || table.columns() != table.layout.columns()) {
    throw Error("the LSTM reads the normalised market features without LSTM columns");
  }
  MMSIM_ASSERT(table.rows == book.rows(), "feature table and book disagree on rows");
  LstmData data;
  data.inputs = torch::from_blob(const_cast<float*>(table.values.data()), {table.rows, table.columns()},
                                 torch::TensorOptions().dtype(torch::kFloat32))
                    .clone();
  data.session_begin = book.session_begin;
  data.splits = splits;
  const std::int64_t rows = book.rows();
  const auto mid2 = [&](std::int64_t r) { return book.bid_prices()(r, 0) + book.ask_prices()(r, 0); };
  data.last_move.assign(static_cast<std::size_t>(rows), 0);
  for (std::size_t s = 0; s + 1 < book.session_begin.size(); ++s) {
    for (std::int64_t r = book.session_begin[s] + 1; r < book.session_begin[s + 1]; ++r) {
      data.last_move[r] = mid2(r) - mid2(r - 1);
    }
  }
  // Split ranges never cross a session, so t + 1 in t's range is in its session.
  data.next_move.assign(static_cast<std::size_t>(rows), kNoMove);
  for (const Split* split : {&splits.train, &splits.validation, &splits.test}) {
    for (const RowRange& r : split->ranges) {
      for (std::int64_t row = r.begin; row + 1 < r.end; ++row) data.next_move[row] = data.last_move[row + 1];
    }
  }
  return data;
}

LstmNetImpl::LstmNetImpl(std::int64_t inputs, std::int64_t hidden, std::int64_t classes) {
  lstm_ = register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(inputs, hidden).num_layers(1)));
  head_ = register_module("head", torch::nn::Linear(hidden, classes));
}

torch::Tensor LstmNetImpl::forward(const torch::Tensor& x, std::optional<State>* state) {
  auto [output, next] = state->has_value() ? lstm_->forward(x, **state) : lstm_->forward(x);
  *state = next;
  return head_->forward(output);
}

LstmFit fit_lstm(const LstmData& data, const std::vector<RowRange>& fit, const std::vector<RowRange>& holdout,
                 const LstmConfig& config, std::uint64_t seed, torch::Device device, const LstmProgress& progress) {
  use_full_float32_lstm(device);
  const std::int64_t classes = lstm_class_count(config);
  const torch::Tensor fit_targets = targets_within(data, fit, config);
  const torch::Tensor holdout_targets = targets_within(data, holdout, config);
  if (fit_targets.ge(0).sum().item<std::int64_t>() == 0) throw Error("the LSTM has no training rows with a next move");

  // Contiguous streams, about batch_size of them, in proportion to the ranges' rows.
  const std::int64_t total = Split{fit}.rows();
  std::vector<RowRange> streams;
  for (const RowRange& r : fit) {
    const std::int64_t count = std::clamp<std::int64_t>(
        std::llround(static_cast<double>(config.batch_size) * static_cast<double>(r.size()) / static_cast<double>(total)),
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
    const auto start = std::chrono::steady_clock::now();
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

torch::Tensor lstm_forecast(LstmNet net, const LstmData& data, torch::Device device, std::int64_t end_row) {
  use_full_float32_lstm(device);
  torch::NoGradGuard no_grad;
  const bool was_training = net->is_training();
  net->eval();
  net->to(device);
  if (end_row < 0 || end_row > data.rows()) end_row = data.rows();
  const std::int64_t classes = net->named_parameters()["head.bias"].size(0);
  torch::Tensor out = torch::zeros({data.rows(), classes}, torch::kFloat32);
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

std::uint64_t lstm_data_key(const LstmData& data, const LstmConfig& config) {
  const torch::Tensor inputs = data.inputs.contiguous();
  std::uint64_t h = detail::hash64(inputs.data_ptr<float>(), static_cast<std::size_t>(inputs.numel()) * sizeof(float),
                                   static_cast<std::uint64_t>(inputs.size(1)));
  h = hash_vector(data.next_move, h);
  h = hash_vector(data.session_begin, h);
  for (const Split* split : {&data.splits.train, &data.splits.validation, &data.splits.test}) {
    std::vector<std::int64_t> bounds;
    for (const RowRange& r : split->ranges) bounds.insert(bounds.end(), {r.begin, r.end});
    h = hash_vector(bounds, h + 1);
  }
  return hash_vector({config.hidden, config.max_move_half_ticks, config.class_width_half_ticks,
                      config.walk_forward_blocks},
                     h);
}

LstmModels train_lstm_models(const LstmData& data, const LstmConfig& config, std::uint64_t seed, torch::Device device,
                             std::ostream& out) {
  validate(config);
  LstmModels models;
  models.blocks = plan_walk_forward(data.splits.train, config.walk_forward_blocks);
  models.data_key = lstm_data_key(data, config);
  const int K = models.blocks.count();
  auto fit_one = [&](const std::string& name, const std::vector<RowRange>& fit, const std::vector<RowRange>& holdout,
                     std::uint64_t fit_seed) {
    out << "lstm " << name << ": fitting on " << Split{fit}.rows() << " rows, early stopping on "
        << Split{holdout}.rows() << " rows\n"
        << std::flush;
    LstmFit result = fit_lstm(data, fit, holdout, config, fit_seed, device,
                              [&](const LstmEpoch& e) { out << describe(e, name, config.epochs) << std::flush; });
    out << "lstm " << name << ": kept epoch " << result.best_epoch << "\n";
    models.fits.push_back(result);
    return result.net;
  };
  if (data.splits.validation.rows() < 2) {
    throw ConfigError("split.validation", "the LSTM stops early on the validation split, which has fewer than 2 rows");
  }
  models.full = fit_one("full", data.splits.train.ranges, data.splits.validation.ranges, seed);
  const std::vector<RowRange>& train = data.splits.train.ranges;
  for (int k = 1; k < K; ++k) {
    const std::vector<RowRange> earlier = clip_ranges(train, 0, models.blocks.begin[k]);
    const std::int64_t rows = Split{earlier}.rows();
    const std::int64_t cut =
        row_at(earlier, rows - std::max<std::int64_t>(2, std::llround(config.fold_validation_fraction * rows)));
    const std::vector<RowRange> fit = clip_ranges(earlier, 0, cut), holdout = clip_ranges(earlier, cut, models.blocks.begin[k]);
    const std::int64_t fit_rows = Split{fit}.rows();
    if (fit_rows < 2) {
      throw ConfigError("lstm.walk_forward_blocks",
                        std::to_string(K) + " blocks leave fold " + std::to_string(k) + " with " +
                            std::to_string(fit_rows) + " rows to fit on; use fewer blocks or more training rows");
    }
    models.folds.push_back(fit_one("fold " + std::to_string(k), fit, holdout, seed + static_cast<std::uint64_t>(k)));
  }
  return models;
}

torch::Tensor lstm_columns(const LstmModels& models, const LstmData& data, torch::Device device,
                           const torch::Tensor& full_forecast) {
  torch::Tensor columns = full_forecast.defined() ? full_forecast.clone() : lstm_forecast(models.full, data, device);
  const auto& begin = models.blocks.begin;
  const std::vector<RowRange>& train = data.splits.train.ranges;
  for (const RowRange& r : clip_ranges(train, begin[0], begin[1])) {
    columns.narrow(0, r.begin, r.size()).fill_(1.0 / static_cast<double>(columns.size(1)));
  }
  for (int k = 1; k < models.blocks.count(); ++k) {
    const torch::Tensor fold = lstm_forecast(models.folds[static_cast<std::size_t>(k - 1)], data, device, begin[k + 1]);
    for (const RowRange& r : clip_ranges(train, begin[k], begin[k + 1])) {
      columns.narrow(0, r.begin, r.size()).copy_(fold.narrow(0, r.begin, r.size()));
    }
  }
  return columns;
}

Split lstm_agent_train(const Split& train, const WalkForwardBlocks& blocks) {
  Split agent;
  agent.ranges = clip_ranges(train.ranges, blocks.begin[1], blocks.begin.back());
  return agent;
}

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
  const std::int64_t classes = models.full->named_parameters()["head.bias"].size(0);
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

LstmScores score_forecast(const torch::Tensor& probabilities, const LstmData& data,
                          const std::vector<RowRange>& ranges, const LstmConfig& config) {
  const auto C = static_cast<std::int64_t>(lstm_class_count(config));
  const torch::Tensor p = probabilities.to(torch::kCPU).to(torch::kFloat64).contiguous();
  MMSIM_ASSERT(p.dim() == 2 && p.size(1) == C, "forecast with the wrong class count");
  const double* values = p.data_ptr<double>();
  const std::int64_t stride = p.size(0) == 1 ? 0 : C;  // one row: the same forecast everywhere
  LstmScores s;
  double ce = 0;
  std::int64_t correct = 0, direction = 0;
  for (const RowRange& r : ranges) {
    for (std::int64_t row = r.begin; row < r.end; ++row) {
      const std::int64_t move = data.next_move[row];
      if (move == kNoMove) continue;
      const double* q = values + row * stride;
      const int target = lstm_class_of_move(move, config);
      const int best = static_cast<int>(std::max_element(q, q + C) - q);
      ++s.rows;
      ce -= std::log(std::max(q[target], 1e-12));
      correct += best == target;
      if (move != 0) {
        ++s.moved_rows;
        const int predicted = lstm_class_move(best, config);
        direction += (predicted > 0) == (move > 0) && predicted != 0;
      }
    }
  }
  s.cross_entropy = s.rows > 0 ? ce / static_cast<double>(s.rows) : std::nan("");
  s.accuracy = s.rows > 0 ? static_cast<double>(correct) / static_cast<double>(s.rows) : std::nan("");
  s.direction_accuracy =
      s.moved_rows > 0 ? static_cast<double>(direction) / static_cast<double>(s.moved_rows) : std::nan("");
  return s;
}

torch::Tensor training_class_frequencies(const LstmData& data, const LstmConfig& config) {
  torch::Tensor counts = torch::ones({lstm_class_count(config)}, torch::kFloat64);
  auto* c = counts.data_ptr<double>();
  for (const RowRange& r : data.splits.train.ranges) {
    for (std::int64_t row = r.begin; row < r.end; ++row) {
      if (data.next_move[row] != kNoMove) c[lstm_class_of_move(data.next_move[row], config)] += 1;
    }
  }
  return counts / counts.sum();
}

LstmScores score_most_frequent(const LstmData& data, const std::vector<RowRange>& ranges, const LstmConfig& config) {
  // One row of probabilities stands for every row (score_forecast's stride 0).
  return score_forecast(training_class_frequencies(data, config).unsqueeze(0), data, ranges, config);
}

LstmScores score_last_move(const LstmData& data, const std::vector<RowRange>& ranges, const LstmConfig& config) {
  LstmScores s;
  std::int64_t correct = 0, direction = 0;
  for (const RowRange& r : ranges) {
    for (std::int64_t row = r.begin; row < r.end; ++row) {
      const std::int64_t move = data.next_move[row];
      if (move == kNoMove) continue;
      const std::int64_t last = data.last_move[row];
      ++s.rows;
      correct += lstm_class_of_move(last, config) == lstm_class_of_move(move, config);
      if (move != 0) {
        ++s.moved_rows;
        direction += last != 0 && (last > 0) == (move > 0);
      }
    }
  }
  s.cross_entropy = std::nan("");
  s.accuracy = s.rows > 0 ? static_cast<double>(correct) / static_cast<double>(s.rows) : std::nan("");
  s.direction_accuracy =
      s.moved_rows > 0 ? static_cast<double>(direction) / static_cast<double>(s.moved_rows) : std::nan("");
  return s;
}

Splits add_lstm_features(const Config& config, const BookTensor& book, FeatureTable& table, const Splits& splits,
                         torch::Device device, std::ostream& out) {
  const LstmData data = make_lstm_data(book, table, splits);
  const std::filesystem::path dir = lstm_dir_of(config);
  const LstmModels models = load_lstm_models(dir, config.lstm, data);
  const LstmColumns columns =
      cached_lstm_columns(dir, models, data, cache_dir_in_use(config), device);
  if (!columns.note.empty()) out << columns.note << "\n";
  Splits agent = splits;
  agent.train = lstm_agent_train(splits.train, models.blocks);

  // Appended as probabilities (mean 0, scale 1 in the table's statistics):
  // bounded, whereas standardising with the out-of-fold training rows would
  // magnify where the full model's forecasts differ from the folds'.
  const std::int64_t rows = table.rows;
  const int F = table.columns();
  const auto C = static_cast<int>(columns.probabilities.size(1));
  const float* p = columns.probabilities.data_ptr<float>();
  std::vector<float> values(static_cast<std::size_t>(rows) * (F + C));
  for (std::int64_t row = 0; row < rows; ++row) {
    std::copy_n(table.values.begin() + row * F, F, values.begin() + row * (F + C));
    for (int c = 0; c < C; ++c) {
      values[row * (F + C) + F + c] = p[row * C + c];
    }
  }
  table.values = std::move(values);
  const std::vector<std::string> names = lstm_column_names(config.lstm);
  table.names.insert(table.names.end(), names.begin(), names.end());
  table.mean.insert(table.mean.end(), static_cast<std::size_t>(C), 0.0);
  table.scale.insert(table.scale.end(), static_cast<std::size_t>(C), 1.0);
  check_finite(table, "feature table with LSTM columns");
  const char* how = columns.outcome == LstmCacheOutcome::read       ? "read from the cache"
                    : columns.outcome == LstmCacheOutcome::uncached ? "computed (cache off)"
                                                                    : "computed and cached";
  out << "lstm features: " << C << " columns from the models in " << dir.string() << ", " << how
      << (columns.file.empty() ? "" : " (" + columns.file.string() + ")") << "; the agent trains on "
      << agent.train.rows() << " rows (walk-forward blocks 1.." << models.blocks.count() - 1 << ")\n";
  return agent;
}

}  // namespace mmsim::train
