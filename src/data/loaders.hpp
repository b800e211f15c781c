#pragma once
// Format-specific readers; each feeds a BookBuilder.

#include "data/book_builder.hpp"
#include "mmsim/data/load.hpp"

namespace mmsim::detail {

/// `options` as the loader and the cache key read them: the l1 format's
/// column names (AskPrice{level} ...) where the defaults were left, and depth
/// 1. Throws ConfigError for invalid options (validate(LoadOptions)).
LoadOptions resolve_load_options(LoadOptions options);

/// LOBSTER orderbook + message pair of one session; `book_text` is the
/// orderbook file's content (the message file is read here).
void read_lobster_session(const std::filesystem::path& orderbook_file, const std::string& book_text,
                          const LoadOptions& options, BookBuilder* builder);

/// Levels per side of a LOBSTER orderbook file's content (from its first line).
int lobster_file_depth(const std::string& text, const std::filesystem::path& orderbook_file);

/// The message file paired with a LOBSTER orderbook file.
std::filesystem::path lobster_message_file(const std::filesystem::path& orderbook_file);

/// Snapshot or L1 CSV of one session, given the file's content.
void read_snapshot_session(const std::filesystem::path& file, const std::string& text, const LoadOptions& options,
                           BookBuilder* builder);

/// Levels per side present in a snapshot file's header under the column names.
int snapshot_file_depth(const std::string& text, const std::filesystem::path& file, const LoadOptions& options);

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);

}  // namespace mmsim::detail
