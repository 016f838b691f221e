#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "http/token.h"
#include "weft/http/static_files.h"

namespace weft::http {
namespace {

// Sorted by extension, for a binary search.
constexpr std::array<std::pair<std::string_view, std::string_view>, 34> kTypes = {{
    {"avif", "image/avif"},
    {"bmp", "image/bmp"},
    {"css", "text/css; charset=utf-8"},
    {"csv", "text/csv; charset=utf-8"},
    {"gif", "image/gif"},
    {"gz", "application/gzip"},
    {"htm", "text/html; charset=utf-8"},
    {"html", "text/html; charset=utf-8"},
    {"ico", "image/x-icon"},
    {"jpeg", "image/jpeg"},
    {"jpg", "image/jpeg"},
    {"js", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"md", "text/markdown; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"mp3", "audio/mpeg"},
    {"mp4", "video/mp4"},
    {"ogg", "audio/ogg"},
    {"otf", "font/otf"},
    {"pdf", "application/pdf"},
    {"png", "image/png"},
    {"svg", "image/svg+xml"},
    {"tar", "application/x-tar"},
    {"ttf", "font/ttf"},
    {"txt", "text/plain; charset=utf-8"},
    {"wasm", "application/wasm"},
    {"wav", "audio/wav"},
    {"webm", "video/webm"},
    {"webp", "image/webp"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"xml", "application/xml"},
    {"zip", "application/zip"},
}};

}  // namespace

std::string_view content_type_for(std::string_view file_name) {
  const size_t dot = file_name.rfind('.');
  const size_t slash = file_name.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return "application/octet-stream";
  }
  char ext[8];
  const std::string_view raw = file_name.substr(dot + 1);
  if (raw.empty() || raw.size() > sizeof ext) return "application/octet-stream";
  for (size_t i = 0; i < raw.size(); ++i) ext[i] = detail::ascii_lower(raw[i]);
  const std::string_view key(ext, raw.size());
  auto it = std::lower_bound(kTypes.begin(), kTypes.end(), key,
                             [](const auto& entry, std::string_view k) { return entry.first < k; });
  return it != kTypes.end() && it->first == key ? it->second : "application/octet-stream";
}

}  // namespace weft::http
