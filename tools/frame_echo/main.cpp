// weft-frame-echo: decodes with the codec chosen by flags and answers every frame with a
// 4-byte big-endian length and the frame's bytes exactly as decoded. A decode error is
// answered with FF FF FF FF and one byte (1 frame too long, 2 corrupted frame, 3 protocol
// error); then the connection goes on where the codec recovers, or is closed. Useful for
// testing clients of a framed protocol. `weft-frame-echo --help` lists the flags: the
// common server flags (tools/common/server_flags.h), the worker flags
// (tools/common/worker_flags.h), --codec and each codec's options.

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admin_flag.h"
#include "cli.h"
#include "server_flags.h"
#include "weft/codec/delimiter.h"
#include "weft/codec/fixed_length.h"
#include "weft/codec/framed_handler.h"
#include "weft/codec/header.h"
#include "weft/codec/length_field.h"
#include "weft/codec/line.h"
#include "weft/weft.h"
#include "worker_flags.h"

namespace {

using weft::codec::CodecFactory;

class FrameEcho final : public weft::codec::FramedHandler {
 public:
  using FramedHandler::FramedHandler;

  void on_message(weft::Conn& conn, const weft::codec::Frame& frame) override {
    uint32_t n = static_cast<uint32_t>(frame.payload.size());
    char header[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                      static_cast<char>(n)};
    std::string_view parts[] = {{header, 4}, frame.payload};
    conn.writev(parts);
  }

  void on_decode_error(weft::Conn& conn, std::error_code error, bool) override {
    char code = 3;
    if (error == weft::Errc::frame_too_long) code = 1;
    if (error == weft::Errc::corrupted_frame) code = 2;
    const char reply[5] = {'\xff', '\xff', '\xff', '\xff', code};
    conn.write({reply, 5});
  }
};

// "0d0a,0a" -> {"\r\n", "\n"}; nullopt if a part is not an even number of hex digits.
std::optional<std::vector<std::string>> unhex_list(const std::string& list) {
  std::vector<std::string> out;
  for (size_t start = 0; start <= list.size();) {
    size_t comma = std::min(list.find(',', start), list.size());
    std::string_view hex(list.data() + start, comma - start);
    if (hex.empty() || hex.size() % 2 != 0) return std::nullopt;
    std::string bytes;
    for (size_t i = 0; i < hex.size(); i += 2) {
      unsigned char byte = 0;
      auto [end, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, byte, 16);
      if (ec != std::errc() || end != hex.data() + i + 2) return std::nullopt;
      bytes.push_back(static_cast<char>(byte));
    }
    out.push_back(std::move(bytes));
    start = comma + 1;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  weft::tools::App app("weft-frame-echo",
                       "Answers each decoded frame with its length and bytes, for testing clients of framed "
                       "protocols.");
  weft::tools::ServerFlags server{.addr = "tcp://127.0.0.1:7001"};
  server.options.loops = 1;
  weft::tools::add_server_flags(app, server);
  weft::tools::WorkerFlags workers;
  weft::tools::add_worker_flags(app, workers);
  std::string admin_url;
  weft::tools::add_admin_flag(app, admin_url);

  std::string codec;
  size_t max = 0, size = 0, offset = 0, length = 4, strip = 0;
  long long adjust = 0;
  bool keep = false, little = false, fail_fast = false, no_fail_fast = false;
  std::string delimiters = "0d0a,0a";
  app.add_choice("--codec", codec,
                 {{"line", "line"},
                  {"delimiter", "delimiter"},
                  {"fixed", "fixed"},
                  {"length-field", "length-field"},
                  {"header", "header"}},
                 "how frames are cut from the byte stream")
      ->required();
  auto* max_flag = app.add_size("--max", max, "longest frame (payload for header)")->default_str("the codec's");
  app.add_flag("--keep-delimiter", keep, "line, delimiter: keep the delimiter in the frame");
  auto* fast_flag = app.add_flag("--fail-fast", fail_fast, "report a frame too long as soon as it is seen")
                        ->default_str("the codec's");
  auto* slow_flag = app.add_flag("--no-fail-fast", no_fail_fast, "report a frame too long once it has been skipped")
                        ->default_str("the codec's");
  fast_flag->excludes(slow_flag);
  app.add_option("--delimiters", delimiters, "delimiter: the delimiters, in hex")->type_name("HEX[,HEX...]");
  auto* size_flag = app.add_size("--size", size, "fixed: the frame size")->default_str("none");
  app.add_number("--offset", offset, "length-field: bytes before the length field", size_t{0}, size_t{1} << 20);
  app.add_choice("--length", length, {{"1", 1}, {"2", 2}, {"3", 3}, {"4", 4}, {"8", 8}},
                 "length-field: bytes in the length field");
  app.add_number("--adjust", adjust, "length-field: added to the length field's value", -(1LL << 30), 1LL << 30);
  auto* strip_flag = app.add_number("--strip", strip, "length-field: bytes cut from the front of each frame", size_t{0},
                                    size_t{1} << 20)
                         ->default_str("offset + length: frames are payloads");
  app.add_flag("--little-endian", little, "length-field: the length field is little-endian");
  app.parse_or_exit(argc, argv);

  std::optional<bool> fail_fast_choice;
  if (*fast_flag || *slow_flag) fail_fast_choice = fail_fast;
  std::optional<std::vector<std::string>> delimiter_list = unhex_list(delimiters);
  if (!delimiter_list) app.fail("--delimiters: expected hex byte strings such as 0d0a,0a, got '" + delimiters + "'");
  if (codec == "fixed" && (!*size_flag || size == 0)) app.fail("--codec fixed needs --size N");

  CodecFactory factory;
  std::shared_ptr<weft::tls::Context> tls;
  try {
    if (codec == "line") {
      weft::codec::LineOptions o;
      if (*max_flag) o.max_length = max;
      o.strip_delimiter = !keep;
      if (fail_fast_choice) o.fail_fast = *fail_fast_choice;
      factory = weft::codec::line_codec(o);
    } else if (codec == "delimiter") {
      weft::codec::DelimiterOptions o;
      o.delimiters = *delimiter_list;
      if (*max_flag) o.max_length = max;
      o.strip_delimiter = !keep;
      if (fail_fast_choice) o.fail_fast = *fail_fast_choice;
      factory = weft::codec::delimiter_codec(o);
    } else if (codec == "fixed") {
      factory = weft::codec::fixed_length_codec(size);
    } else if (codec == "length-field") {
      weft::codec::LengthFieldOptions o;
      if (*max_flag) o.max_frame_length = max;
      o.length_field_offset = offset;
      o.length_field_length = length;
      o.length_adjustment = adjust;
      o.initial_bytes_to_strip = *strip_flag ? strip : offset + length;
      o.byte_order = little ? std::endian::little : std::endian::big;
      if (fail_fast_choice) o.fail_fast = *fail_fast_choice;
      weft::codec::LengthFieldPrependerOptions p;
      p.length_field_length = length;
      p.byte_order = o.byte_order;
      factory = weft::codec::length_field_codec(o, p);
    } else {
      weft::codec::HeaderOptions o;
      if (*max_flag) o.max_payload = static_cast<uint32_t>(std::min<size_t>(max, UINT32_MAX));
      factory = weft::codec::header_codec(o);
    }
    tls = weft::tools::use_tls(app, server);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weft-frame-echo: %s\n", e.what());
    return 1;
  }
  // Runs in this process, or in each worker with --workers.
  return weft::tools::run_workers("weft-frame-echo", server, workers, [&](weft::Worker& worker) {
    FrameEcho handler(factory);
    weft::Server s(handler, server.options);
    worker.attach(s);
    s.start();
    worker.ready();
    weft::tools::AdminEndpoint admin(worker.index() == 0 ? admin_url : std::string(), s, "frame-echo");
    admin.watch_tls(tls, "frame-echo");
    if (!server.quiet && worker.index() == 0) {
      std::printf("weft-frame-echo (%s) listening on %s%s\n", codec.c_str(), s.address().to_string().c_str(),
                  worker.supervised() ? " in each worker" : "");
      admin.print_urls();
      std::fflush(stdout);
    }
    s.wait();
    return 0;
  });
}
