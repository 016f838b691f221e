// weft-frame-echo: decodes with the codec chosen by flags and answers every frame with a
// 4-byte big-endian length and the frame's bytes exactly as decoded. A decode error is
// answered with FF FF FF FF and one byte (1 frame too long, 2 corrupted frame, 3 protocol
// error); then the connection goes on where the codec recovers, or is closed. Useful for
// testing clients of a framed protocol.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "weft/codec/delimiter.h"
#include "weft/codec/fixed_length.h"
#include "weft/codec/framed_handler.h"
#include "weft/codec/header.h"
#include "weft/codec/length_field.h"
#include "weft/codec/line.h"
#include "weft/weft.h"

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

[[noreturn]] void usage(const std::string& problem) {
  if (!problem.empty()) std::fprintf(stderr, "weft-frame-echo: %s\n", problem.c_str());
  std::fprintf(stderr,
               "usage: weft-frame-echo [--addr tcp://127.0.0.1:7001] --codec line|delimiter|fixed|length-field|header\n"
               "  [--max N] [--keep-delimiter] [--fail-fast|--no-fail-fast]\n"
               "  [--delimiters HEX[,HEX...]]                       delimiter codec (default 0d0a,0a)\n"
               "  [--size N]                                        fixed codec\n"
               "  [--offset N] [--length 1|2|3|4|8] [--adjust N] [--strip N] [--little-endian]\n"
               "                                                    length-field codec (strip defaults to\n"
               "                                                    offset + length: frames are payloads)\n");
  std::exit(problem.empty() ? 0 : 2);
}

long long number(const std::string& flag, const char* text) {
  char* end = nullptr;
  long long v = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0') usage(flag + " needs a number");
  return v;
}

std::string unhex(const std::string& hex) {
  if (hex.empty() || hex.size() % 2 != 0) usage("--delimiters takes hex byte strings such as 0d0a");
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    char* end = nullptr;
    std::string byte = hex.substr(i, 2);
    long v = std::strtol(byte.c_str(), &end, 16);
    if (*end != '\0') usage("bad hex in --delimiters: " + hex);
    out.push_back(static_cast<char>(v));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string address = "tcp://127.0.0.1:7001";
  std::string codec;
  long long max = -1, size = -1, offset = 0, length = 4, adjust = 0, strip = -1;
  int fail_fast = -1;  // -1: the codec's default.
  bool keep = false, little = false;
  std::vector<std::string> delimiters;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--addr") address = value();
    else if (arg == "--codec") codec = value();
    else if (arg == "--max") max = number(arg, value());
    else if (arg == "--keep-delimiter") keep = true;
    else if (arg == "--fail-fast") fail_fast = 1;
    else if (arg == "--no-fail-fast") fail_fast = 0;
    else if (arg == "--size") size = number(arg, value());
    else if (arg == "--offset") offset = number(arg, value());
    else if (arg == "--length") length = number(arg, value());
    else if (arg == "--adjust") adjust = number(arg, value());
    else if (arg == "--strip") strip = number(arg, value());
    else if (arg == "--little-endian") little = true;
    else if (arg == "--delimiters") {
      std::string list = value();
      for (size_t start = 0; start <= list.size();) {
        size_t comma = list.find(',', start);
        if (comma == std::string::npos) comma = list.size();
        delimiters.push_back(unhex(list.substr(start, comma - start)));
        start = comma + 1;
      }
    } else if (arg == "--help" || arg == "-h") usage("");
    else usage("unknown flag " + arg);
  }
  if (max < -1 || size < -1 || offset < 0 || length < 0 || strip < -1) usage("sizes must not be negative");

  try {
    CodecFactory factory;
    if (codec == "line") {
      weft::codec::LineOptions o;
      if (max >= 0) o.max_length = static_cast<size_t>(max);
      o.strip_delimiter = !keep;
      if (fail_fast >= 0) o.fail_fast = fail_fast == 1;
      factory = weft::codec::line_codec(o);
    } else if (codec == "delimiter") {
      weft::codec::DelimiterOptions o;
      if (!delimiters.empty()) o.delimiters = delimiters;
      if (max >= 0) o.max_length = static_cast<size_t>(max);
      o.strip_delimiter = !keep;
      if (fail_fast >= 0) o.fail_fast = fail_fast == 1;
      factory = weft::codec::delimiter_codec(o);
    } else if (codec == "fixed") {
      if (size <= 0) usage("--codec fixed needs --size N");
      factory = weft::codec::fixed_length_codec(static_cast<size_t>(size));
    } else if (codec == "length-field") {
      weft::codec::LengthFieldOptions o;
      if (max >= 0) o.max_frame_length = static_cast<size_t>(max);
      o.length_field_offset = static_cast<size_t>(offset);
      o.length_field_length = static_cast<size_t>(length);
      o.length_adjustment = adjust;
      o.initial_bytes_to_strip = strip >= 0 ? static_cast<size_t>(strip) : static_cast<size_t>(offset + length);
      o.byte_order = little ? std::endian::little : std::endian::big;
      if (fail_fast >= 0) o.fail_fast = fail_fast == 1;
      weft::codec::LengthFieldPrependerOptions p;
      p.length_field_length = static_cast<size_t>(length);
      p.byte_order = o.byte_order;
      factory = weft::codec::length_field_codec(o, p);
    } else if (codec == "header") {
      weft::codec::HeaderOptions o;
      if (max >= 0) o.max_payload = static_cast<uint32_t>(max);
      factory = weft::codec::header_codec(o);
    } else {
      usage("--codec must be line, delimiter, fixed, length-field or header");
    }
    FrameEcho handler(std::move(factory));
    weft::ServerOptions options;
    options.loops = 1;
    options.stop_signals = {SIGINT, SIGTERM};
    weft::Server server(handler, options);
    server.listen(address);
    std::printf("weft-frame-echo (%s) listening on %s\n", codec.c_str(), server.address().to_string().c_str());
    std::fflush(stdout);
    server.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "weft-frame-echo: %s\n", e.what());
    return 1;
  }
  return 0;
}
