// Loading: the options resolved for their format, each file read by its
// format's reader into one BookBuilder, and the sessions checked. The binary
// cache around it is in book_cache.cpp.

#include "mmsim/data/load.hpp"

#include <memory>
#include <string>

#include "data/book_builder.hpp"
#include "data/file_io.hpp"
#include "data/loaders.hpp"
#include "mmsim/core/error.hpp"
#include "mmsim/data/book_row.hpp"

namespace mmsim {
namespace {

int file_depth(const std::string& text, const std::filesystem::path& file, const LoadOptions& options) {
  return options.format == DataFormat::lobster ? detail::lobster_file_depth(text, file)
                                               : detail::snapshot_file_depth(text, file, options);
}

/// Sessions must have distinct names (splits select them by name) and follow
/// each other in time (splits cut them in time order). Times without a date
/// (row numbers, LOBSTER names without a date) are not compared.
void check_sessions(const BookTensor& book, const LoadOptions& options) {
  constexpr Nanos kDated = 2 * 86400000000000LL;
  const bool dated = !(options.format != DataFormat::lobster && options.timestamp_format == TimestampFormat::row_number);
  auto where = [&](int s) {
    return static_cast<std::size_t>(book.sessions()) == options.files.size()
               ? options.files[static_cast<std::size_t>(s)].string()
               : "session " + book.session_names[s];
  };
  for (int s = 0; s < book.sessions(); ++s) {
    for (int earlier = 0; earlier < s; ++earlier) {
      if (book.session_names[earlier] == book.session_names[s]) {
        throw InputError({where(s)}, "two files give the session name '" + book.session_names[s] +
                                         "'; session names (file names) must be unique within a dataset");
      }
    }
    if (s == 0 || !dated) continue;
    const Nanos start = book.time_ns[book.session_begin[s]];
    const Nanos previous_end = book.time_ns[book.session_begin[s] - 1];
    if (start >= kDated && previous_end >= kDated && start < previous_end) {
      throw InputError({where(s)}, "starts before the previous file ends: list the files of a dataset in time "
                                   "order, without overlaps");
    }
  }
}

}  // namespace

namespace detail {

LoadOptions resolve_load_options(LoadOptions options) {
  if (options.format == DataFormat::l1) {
    const SnapshotColumns defaults;
    SnapshotColumns& c = options.columns;
    if (c.bid_price == defaults.bid_price) c.bid_price = kL1Columns.bid_price;
    if (c.bid_size == defaults.bid_size) c.bid_size = kL1Columns.bid_size;
    if (c.ask_price == defaults.ask_price) c.ask_price = kL1Columns.ask_price;
    if (c.ask_size == defaults.ask_size) c.ask_size = kL1Columns.ask_size;
    options.depth = 1;
  }
  validate(options);
  return options;
}

}  // namespace detail

int BookTensor::session_of(std::int64_t row) const {
  MMSIM_ASSERT(row >= 0 && row < rows(), "row out of range");
  return static_cast<int>(session_index(session_bounds(), row));
}

LoadedBook load_book_uncached(const LoadOptions& requested) {
  const LoadOptions options = detail::resolve_load_options(requested);

  // Each file is read once; the first one fixes the depth of the dataset.
  std::unique_ptr<detail::BookBuilder> builder;
  int common_depth = -1;
  for (const auto& file : options.files) {
    const std::string text = detail::read_text_file(file);
    const int depth = file_depth(text, file, options);
    if (common_depth < 0) {
      common_depth = depth;
      if (options.depth > common_depth) {
        throw ConfigError("data.depth", "asks for " + std::to_string(options.depth) + " levels but " + file.string() +
                                            " has " + std::to_string(common_depth));
      }
      builder = std::make_unique<detail::BookBuilder>(options.instrument,
                                                      options.depth > 0 ? options.depth : common_depth,
                                                      options.step_on, options.same_timestamp,
                                                      options.format == DataFormat::lobster);
      builder->set_file_depth(common_depth);
    } else if (depth != common_depth) {
      throw InputError({file.string()}, "has " + std::to_string(depth) + " levels per side but " +
                                            options.files.front().string() + " has " +
                                            std::to_string(common_depth) + "; the files of a dataset must agree");
    }
    if (options.format == DataFormat::lobster) {
      detail::read_lobster_session(file, text, options, builder.get());
    } else {
      detail::read_snapshot_session(file, text, options, builder.get());
    }
  }
  LoadedBook loaded = builder->finish();
  check_sessions(loaded.book, options);
  if (loaded.book.rows() == 0) {
    throw InputError({options.files.front().string()}, "no valid rows in the data files");
  }
  return loaded;
}

}  // namespace mmsim
