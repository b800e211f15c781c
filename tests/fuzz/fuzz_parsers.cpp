// A seeded mutation fuzzer for the parsers of untrusted input: LOBSTER pairs,
// snapshot and L1 CSV files, and config YAML (files and --set overrides).
// Built with AddressSanitizer and UndefinedBehaviorSanitizer; every input must
// load or be refused with mmsim's typed errors (InputError, ConfigError,
// Error). Anything else -- another exception, a sanitizer report, a crash --
// fails the run, which prints the input that did it.
//
//   fuzz_parsers INPUTS SEED WORK_DIR
//
// Each of the four targets gets INPUTS inputs; the same count and seed make
// the same inputs on every machine, so a failure reproduces.

#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "mmsim/config/config.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/data/load.hpp"

namespace {

/// Values that break naive parsers: signs, huge and tiny numbers, separators.
const std::vector<std::string> kTokens = {
    "-", "+", ".", ",", "e", "E", "0", "-1", "9999999999", "-9999999999", "18446744073709551616",
    "9223372036854775807", "-9223372036854775808", "1e308", "1e-320", "nan", "inf", "-inf", "0x10", "\"", "\r",
    "\n", "\t", " ", "1.0000000000000000001", "43002.632812672004", "{", "}", "[", "]", ":", "&a", "*a", "!!int",
    "~", "null", "--- ", "'", "\xEF\xBB\xBF", std::string("\0", 1), "\xFF\xFE", "2020-02-30 25:61:61",
};

/// One random edit of `text`: flip, insert, delete or duplicate bytes,
/// splice a token, duplicate or drop a line, or truncate.
std::string mutate(std::string text, std::mt19937_64& random) {
  const auto pick = [&](std::size_t n) { return n == 0 ? std::size_t{0} : static_cast<std::size_t>(random() % n); };
  const int edits = 1 + static_cast<int>(random() % 4);
  for (int e = 0; e < edits; ++e) {
    const std::size_t at = pick(text.size() + 1);
    switch (random() % 8) {
      case 0:
        if (!text.empty()) text[pick(text.size())] ^= static_cast<char>(1u << (random() % 8));
        break;
      case 1:
        text.insert(at, 1, static_cast<char>(random() % 256));
        break;
      case 2:
        if (!text.empty()) text.erase(pick(text.size()), 1 + pick(8));
        break;
      case 3:
        text.insert(at, kTokens[pick(kTokens.size())]);
        break;
      case 4: {
        // A digit run replaced by a token: numbers at their extremes.
        const std::size_t digit = text.find_first_of("0123456789", at);
        if (digit == std::string::npos) break;
        const std::size_t end = text.find_first_not_of("0123456789.", digit);
        text.replace(digit, (end == std::string::npos ? text.size() : end) - digit, kTokens[pick(kTokens.size())]);
        break;
      }
      case 5: {
        const std::size_t begin = text.rfind('\n', at == 0 ? 0 : at - 1);
        const std::size_t line_begin = begin == std::string::npos ? 0 : begin + 1;
        const std::size_t line_end = text.find('\n', line_begin);
        const std::string line =
            text.substr(line_begin, (line_end == std::string::npos ? text.size() : line_end + 1) - line_begin);
        if (random() % 2) {
          text.insert(line_begin, line);
        } else {
          text.erase(line_begin, line.size());
        }
        break;
      }
      case 6:
        text.resize(at);
        break;
      default: {
        // A long field: errors must quote only its beginning.
        text.insert(at, std::string(1 + pick(5000), static_cast<char>('0' + random() % 10)));
        break;
      }
    }
  }
  return text;
}

void write(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

std::string read(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct Counts {
  long long inputs = 0, loaded = 0, refused = 0;
};

/// Runs `attempt` on `inputs` mutated inputs; returns false (after printing
/// the input) when an input ends in anything but a load or a typed refusal.
bool fuzz(const char* name, long long inputs, std::mt19937_64& random,
          const std::function<void(std::mt19937_64&, std::string* described)>& attempt) {
  Counts counts;
  while (counts.inputs < inputs) {
    std::string described;
    ++counts.inputs;
    try {
      attempt(random, &described);
      ++counts.loaded;
    } catch (const mmsim::Error&) {
      ++counts.refused;
    } catch (const std::exception& e) {
      std::printf("%s: input %lld ended in %s, not a typed error:\n%s\n", name, counts.inputs, e.what(),
                  described.c_str());
      return false;
    }
  }
  std::printf("%-9s %8lld inputs: %lld loaded, %lld refused with a typed error\n", name, counts.inputs,
              counts.loaded, counts.refused);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: fuzz_parsers INPUTS SEED WORK_DIR\n");
    return 2;
  }
  const long long inputs_per_target = std::strtoll(argv[1], nullptr, 10);
  std::mt19937_64 random(std::strtoull(argv[2], nullptr, 10));
  const std::filesystem::path dir(argv[3]);
  std::filesystem::create_directories(dir);

  const std::string lobster_book =
      "1000300,10,1000000,10,1000400,5,999900,5\n1000300,10,1000100,10,1000400,5,1000000,5\n"
      "9999999999,0,1000100,3,9999999999,0,-9999999999,0\n";
  const std::string lobster_messages =
      "34200.004241176,1,16113575,18,1000100,1\n34200.025551716,3,16120456,10,1000100,1\n"
      "34200.201743812,4,16084809,3,1000100,1\n";
  const std::string snapshot =
      "time,bid1,bidSize1,ask1,askSize1,bid2,bidSize2,ask2,askSize2\n1.5,100.5,0.25,101.0,1.5,100.0,2,101.5,0.01\n"
      "2.000000001,100.5,0.3,101.5,0.07,99.5,1.25,102.0,3\n";
  const std::string l1 = "AskPrice1,AskVolume1,BidPrice1,BidVolume1\n10.02,300,10.01,200\n10.03,100,10.01,200\n";
  const std::string config = read(std::filesystem::path(MMSIM_CONFIG_DIR) / "quickstart.yaml");

  const auto book_options = [](mmsim::DataFormat format, const std::filesystem::path& file) {
    mmsim::LoadOptions options;
    options.format = format;
    options.files = {file};
    options.instrument = {format == mmsim::DataFormat::snapshot ? 0.5 : 0.01, format == mmsim::DataFormat::lobster ? 1.0 : 0.01};
    options.step_on = mmsim::StepOn::every_event;
    options.bad_rows = mmsim::BadRowPolicy::error;
    return options;
  };

  bool ok = true;
  ok &= fuzz("lobster", inputs_per_target, random, [&](std::mt19937_64& r, std::string* described) {
    const std::filesystem::path book = dir / "FUZZ_2020-01-02_34200000_57600000_orderbook_2.csv";
    const std::filesystem::path messages = dir / "FUZZ_2020-01-02_34200000_57600000_message_2.csv";
    const bool book_side = r() % 2 == 0;
    const std::string book_text = book_side ? mutate(lobster_book, r) : lobster_book;
    const std::string message_text = book_side ? lobster_messages : mutate(lobster_messages, r);
    *described = "orderbook:\n" + book_text + "\nmessages:\n" + message_text;
    write(book, book_text);
    write(messages, message_text);
    mmsim::LoadOptions options = book_options(mmsim::DataFormat::lobster, book);
    if (r() % 2) options.bad_rows = mmsim::BadRowPolicy::drop;
    mmsim::load_book_uncached(options);
  });
  ok &= fuzz("snapshot", inputs_per_target, random, [&](std::mt19937_64& r, std::string* described) {
    const std::filesystem::path file = dir / "FUZZ_day1.csv";
    *described = mutate(snapshot, r);
    write(file, *described);
    mmsim::LoadOptions options = book_options(mmsim::DataFormat::snapshot, file);
    const mmsim::TimestampFormat formats[] = {mmsim::TimestampFormat::seconds, mmsim::TimestampFormat::milliseconds,
                                              mmsim::TimestampFormat::nanoseconds, mmsim::TimestampFormat::iso8601};
    options.timestamp_format = formats[r() % 4];
    mmsim::load_book_uncached(options);
  });
  ok &= fuzz("l1", inputs_per_target, random, [&](std::mt19937_64& r, std::string* described) {
    const std::filesystem::path file = dir / "FUZZ_l1.csv";
    *described = mutate(l1, r);
    write(file, *described);
    mmsim::LoadOptions options = book_options(mmsim::DataFormat::l1, file);
    options.timestamp_format = mmsim::TimestampFormat::row_number;
    mmsim::load_book_uncached(options);
  });
  ok &= fuzz("config", inputs_per_target, random, [&](std::mt19937_64& r, std::string* described) {
    const bool file_side = r() % 3 != 0;
    const std::string text = file_side ? mutate(config, r) : config;
    std::vector<std::string> overrides;
    if (!file_side) overrides.push_back(mutate("train.gamma=0.99", r));
    *described = text + (overrides.empty() ? "" : "\n--set " + overrides[0]);
    mmsim::parse_config(text, dir, overrides, "fuzz.yaml");
  });
  return ok ? 0 : 1;
}
