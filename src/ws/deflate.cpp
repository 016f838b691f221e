#include "ws/deflate.h"

#include <algorithm>
#include <charconv>

#include "http/token.h"

namespace weft::ws::detail {
namespace {

using http::detail::trim_ows;

// One offer's parameters, "name[=value]" separated by ';' (values may be quoted).
struct Param {
  std::string_view name;
  std::string_view value;
  bool has_value = false;
};

bool parse_bits(std::string_view v, int& out) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  int n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n < 8 || n > 15) return false;
  out = n;
  return true;
}

// Checks one permessage-deflate offer; fills params and response if the server can take it.
bool accept_offer(std::string_view offer, const Compression& config, DeflateParams& params, std::string& response) {
  DeflateParams p;
  bool client_bits_offered = false;
  bool server_bits_offered = false;
  bool seen[4] = {};
  while (!offer.empty()) {
    const size_t semi = offer.find(';');
    std::string_view item = trim_ows(offer.substr(0, semi));
    offer = semi == std::string_view::npos ? std::string_view() : offer.substr(semi + 1);
    const size_t eq = item.find('=');
    const std::string_view name = trim_ows(item.substr(0, eq));
    const std::string_view value = eq == std::string_view::npos ? std::string_view() : trim_ows(item.substr(eq + 1));
    const bool has_value = eq != std::string_view::npos;
    int index;
    if (name == "server_no_context_takeover" && !has_value) {
      index = 0;
      p.server_no_context_takeover = true;
    } else if (name == "client_no_context_takeover" && !has_value) {
      index = 1;
      p.client_no_context_takeover = true;
    } else if (name == "server_max_window_bits") {
      index = 2;
      if (!has_value || !parse_bits(value, p.server_max_window_bits)) return false;
      server_bits_offered = true;
    } else if (name == "client_max_window_bits") {
      index = 3;
      if (has_value && !parse_bits(value, p.client_max_window_bits)) return false;
      client_bits_offered = true;
    } else {
      return false;  // An unknown parameter, or one with a value it must not have.
    }
    if (seen[index]) return false;  // A parameter twice.
    seen[index] = true;
  }
  // The server compresses with at most the window it was asked for, and what it is
  // configured for; zlib cannot make 256-byte-window streams.
  const int server_bits = std::min(p.server_max_window_bits, config.server_max_window_bits);
  if (server_bits < 9) return false;
  p.server_max_window_bits = server_bits;
  if (config.no_context_takeover) p.server_no_context_takeover = p.client_no_context_takeover = true;
  response = "permessage-deflate";
  if (p.server_no_context_takeover) response += "; server_no_context_takeover";
  if (p.client_no_context_takeover) response += "; client_no_context_takeover";
  if (server_bits_offered || server_bits < 15) response += "; server_max_window_bits=" + std::to_string(server_bits);
  if (client_bits_offered) response += "; client_max_window_bits=" + std::to_string(p.client_max_window_bits);
  params = p;
  return true;
}

}  // namespace

bool negotiate_deflate(std::string_view offers, const Compression& config, DeflateParams& params,
                       std::string& response) {
  if (!config.enabled) return false;
  while (!offers.empty()) {
    // Offers are separated by commas (quoted values never contain one in these parameters).
    const size_t comma = offers.find(',');
    std::string_view offer = trim_ows(offers.substr(0, comma));
    offers = comma == std::string_view::npos ? std::string_view() : offers.substr(comma + 1);
    const size_t semi = offer.find(';');
    if (trim_ows(offer.substr(0, semi)) != "permessage-deflate") continue;
    const std::string_view rest = semi == std::string_view::npos ? std::string_view() : offer.substr(semi + 1);
    if (accept_offer(rest, config, params, response)) return true;
  }
  return false;
}

// --- zlib ------------------------------------------------------------------------------

Inflater::~Inflater() {
  if (ready_) inflateEnd(&stream_);
}

Inflater::Result Inflater::inflate(std::string_view message, std::string& out, size_t limit, bool reset) {
  out.clear();
  if (!ready_ && !failed_) {
    // Inflating with a larger window than the peer compressed with is always safe, so the
    // largest serves every negotiated size (zlib's raw inflate refuses 8 anyway).
    ready_ = inflateInit2(&stream_, -15) == Z_OK;
    failed_ = !ready_;
  }
  if (!ready_) return Result::corrupt;
  static const unsigned char kTail[4] = {0x00, 0x00, 0xff, 0xff};
  Result result = Result::ok;
  for (int part = 0; part < 2 && result == Result::ok; ++part) {
    stream_.next_in =
        part == 0 ? reinterpret_cast<Bytef*>(const_cast<char*>(message.data())) : const_cast<Bytef*>(kTail);
    stream_.avail_in = part == 0 ? static_cast<uInt>(message.size()) : 4;
    if (part == 0 && message.empty()) continue;
    while (stream_.avail_in > 0) {
      const size_t have = out.size();
      const size_t room = std::max<size_t>(4096, std::min<size_t>(have, 1 << 20));
      out.resize(have + room);
      stream_.next_out = reinterpret_cast<Bytef*>(out.data() + have);
      stream_.avail_out = static_cast<uInt>(room);
      const int rc = ::inflate(&stream_, Z_SYNC_FLUSH);
      out.resize(have + room - stream_.avail_out);
      if (rc == Z_STREAM_END || (rc != Z_OK && rc != Z_BUF_ERROR)) {
        // A final block ends the stream: permessage-deflate never sends one.
        result = Result::corrupt;
        break;
      }
      if (out.size() > limit) {
        result = Result::too_big;
        break;
      }
      if (rc == Z_BUF_ERROR && stream_.avail_out != 0) break;  // No progress possible.
    }
  }
  if (reset || result != Result::ok) inflateReset(&stream_);
  return result;
}

Deflater::~Deflater() {
  if (ready_) deflateEnd(&stream_);
}

bool Deflater::deflate(std::string_view message, std::string& out, bool reset) {
  out.clear();
  if (!ready_ && !failed_) {
    ready_ = deflateInit2(&stream_, level_, Z_DEFLATED, -std::max(9, window_bits_), 8, Z_DEFAULT_STRATEGY) == Z_OK;
    failed_ = !ready_;
  }
  if (!ready_) return false;
  stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(message.data()));
  stream_.avail_in = static_cast<uInt>(message.size());
  for (;;) {
    const size_t have = out.size();
    const size_t room = deflateBound(&stream_, stream_.avail_in) + 16;
    out.resize(have + room);
    stream_.next_out = reinterpret_cast<Bytef*>(out.data() + have);
    stream_.avail_out = static_cast<uInt>(room);
    const int rc = ::deflate(&stream_, Z_SYNC_FLUSH);
    out.resize(have + room - stream_.avail_out);
    if (rc != Z_OK && rc != Z_BUF_ERROR) return false;
    if (stream_.avail_in == 0 && stream_.avail_out != 0) break;
  }
  // Z_SYNC_FLUSH ends with an empty stored block, 00 00 ff ff: the receiver adds it back.
  if (out.size() >= 4 && out.compare(out.size() - 4, 4, std::string_view("\x00\x00\xff\xff", 4)) == 0) {
    out.resize(out.size() - 4);
  }
  if (reset) deflateReset(&stream_);
  return true;
}

}  // namespace weft::ws::detail
