#include "data/file_io.hpp"

#include <zstd.h>

#include <cstring>
#include <fstream>

#include "mmsim/core/error.hpp"

namespace mmsim::detail {

std::string read_raw_file(const std::filesystem::path& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) throw InputError({path.string()}, "is a directory, not a file");
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw InputError({path.string()}, "cannot open the file");
  const std::streamoff size = in.tellg();
  std::string bytes(static_cast<std::size_t>(size > 0 ? size : 0), '\0');
  in.seekg(0);
  if (size > 0 && !in.read(bytes.data(), size)) throw InputError({path.string()}, "read error");
  return bytes;
}

bool is_zstd(const std::string& bytes) {
  static constexpr unsigned char kMagic[4] = {0x28, 0xB5, 0x2F, 0xFD};
  return bytes.size() >= 4 && std::memcmp(bytes.data(), kMagic, 4) == 0;
}

std::string zstd_decompress(const std::string& compressed, const std::string& name) {
  ZSTD_DStream* stream = ZSTD_createDStream();
  if (stream == nullptr) throw Error("zstd: out of memory");
  std::string out;
  const unsigned long long expected = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  if (expected != ZSTD_CONTENTSIZE_UNKNOWN && expected != ZSTD_CONTENTSIZE_ERROR) out.reserve(expected);
  std::string chunk(ZSTD_DStreamOutSize(), '\0');
  ZSTD_inBuffer input{compressed.data(), compressed.size(), 0};
  std::size_t last = 0;
  while (input.pos < input.size) {
    ZSTD_outBuffer output{chunk.data(), chunk.size(), 0};
    last = ZSTD_decompressStream(stream, &output, &input);
    if (ZSTD_isError(last)) {
      const std::string reason = ZSTD_getErrorName(last);
      ZSTD_freeDStream(stream);
      throw InputError({name}, "corrupt zstd data: " + reason);
    }
    out.append(chunk.data(), output.pos);
  }
  ZSTD_freeDStream(stream);
  if (last != 0) throw InputError({name}, "truncated zstd data (the frame does not end)");
  return out;
}

std::string read_text_file(const std::filesystem::path& path) {
  std::string bytes = read_raw_file(path);
  if (is_zstd(bytes)) return zstd_decompress(bytes, path.string());
  return bytes;
}

namespace {
constexpr std::uint64_t kPrime1 = 0x9E3779B185EBCA87ULL;
constexpr std::uint64_t kPrime2 = 0xC2B2AE3D27D4EB4FULL;
constexpr std::uint64_t kPrime3 = 0x165667B19E3779F9ULL;

std::uint64_t rotl(std::uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

std::uint64_t mix(std::uint64_t h) {
  h ^= h >> 33;
  h *= kPrime2;
  h ^= h >> 29;
  h *= kPrime3;
  h ^= h >> 32;
  return h;
}
}  // namespace

std::uint64_t hash64(const void* data, std::size_t size, std::uint64_t seed) {
  // Four independent lanes keep the multiply latency off the critical path.
  const auto* bytes = static_cast<const unsigned char*>(data);
  std::uint64_t lanes[4] = {seed + kPrime1, seed ^ kPrime2, seed - kPrime3, seed + size};
  std::size_t i = 0;
  for (; i + 32 <= size; i += 32) {
    for (int lane = 0; lane < 4; ++lane) {
      std::uint64_t word;
      std::memcpy(&word, bytes + i + 8 * lane, 8);
      lanes[lane] = rotl(lanes[lane] + word * kPrime2, 31) * kPrime1;
    }
  }
  std::uint64_t h = rotl(lanes[0], 1) + rotl(lanes[1], 7) + rotl(lanes[2], 12) + rotl(lanes[3], 18);
  for (; i + 8 <= size; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, bytes + i, 8);
    h = rotl(h ^ (word * kPrime2), 27) * kPrime1 + kPrime3;
  }
  for (; i < size; ++i) h = rotl(h ^ (bytes[i] * kPrime1), 11) * kPrime2;
  return mix(h ^ size);
}

}  // namespace mmsim::detail
