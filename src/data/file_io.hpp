#pragma once
// Whole-file reading with transparent zstd decompression, and hashing.

#include <cstdint>
#include <filesystem>
#include <string>

namespace mmsim::detail {

/// The file's bytes as stored on disk. Throws InputError if unreadable.
std::string read_raw_file(const std::filesystem::path& path);

/// True when `bytes` start with the zstd frame magic number.
bool is_zstd(const std::string& bytes);

/// The file's content, decompressed when it is zstd (by magic number).
std::string read_text_file(const std::filesystem::path& path);

/// Decompresses a zstd buffer; `name` is used in error messages.
std::string zstd_decompress(const std::string& compressed, const std::string& name);

/// 64-bit non-cryptographic hash (8 bytes at a time, then a final mix).
std::uint64_t hash64(const void* data, std::size_t size, std::uint64_t seed = 0);
inline std::uint64_t hash64(const std::string& s, std::uint64_t seed = 0) { return hash64(s.data(), s.size(), seed); }

}  // namespace mmsim::detail
