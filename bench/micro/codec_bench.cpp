// Decode throughput of each codec over 1 MiB of back-to-back frames of 64 B and 4 KiB
// (wire size, header or delimiter included), in one contiguous segment or in 16 KiB
// segments as a connection's block chain holds them. Items are frames, bytes are wire bytes.

#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "weft/codec/decode_loop.h"
#include "weft/codec/delimiter.h"
#include "weft/codec/fixed_length.h"
#include "weft/codec/header.h"
#include "weft/codec/length_field.h"
#include "weft/codec/line.h"

namespace weft::codec {
namespace {

constexpr size_t kWireBytes = size_t{1} << 20;
constexpr size_t kSegment = size_t{16} * 1024;

struct Setup {
  std::unique_ptr<Decoder> decoder;
  std::string wire;
  size_t frames = 0;
};

// Encodes frames whose wire size is frame_size until about kWireBytes are written.
Setup make(std::unique_ptr<Codec> codec, size_t overhead, size_t frame_size) {
  BlockPool pool;
  Buffer out(pool);
  std::string payload(frame_size - overhead, 'x');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>('a' + i % 26);
  Setup s;
  while (out.size() + frame_size <= kWireBytes) {
    if (codec->encoder().encode(payload, out, 7)) std::abort();
    ++s.frames;
  }
  s.wire = out.to_string();
  struct Holder final : Decoder {
    std::unique_ptr<Codec> codec;
    explicit Holder(std::unique_ptr<Codec> c) : codec(std::move(c)) {}
    Decoded decode(const InputView& in) override { return codec->decoder().decode(in); }
    void reset() override { codec->decoder().reset(); }
    size_t max_buffered() const override { return codec->decoder().max_buffered(); }
  };
  s.decoder = std::make_unique<Holder>(std::move(codec));
  return s;
}

void run(benchmark::State& state, Setup s) {
  const bool segmented = state.range(1) != 0;
  std::vector<std::string_view> segments;
  if (segmented) {
    for (size_t at = 0; at < s.wire.size(); at += kSegment)
      segments.push_back(std::string_view(s.wire).substr(at, kSegment));
  } else {
    segments.push_back(s.wire);
  }
  const InputView view{std::span<const std::string_view>(segments)};
  std::string scratch;
  for (auto _ : state) {
    s.decoder->reset();
    size_t bytes = 0;
    DecodeResult r = decode_frames(
        *s.decoder, view, scratch,
        [&](const Frame& f) {
          bytes += f.payload.size();
          benchmark::DoNotOptimize(f.payload.data());
        },
        [](std::error_code, bool) { std::abort(); });
    if (r.frames != s.frames) std::abort();
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * s.frames));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * s.wire.size()));
}

void decode_line(benchmark::State& state) {
  run(state, make(line_codec()(), 1, static_cast<size_t>(state.range(0))));
}

void decode_delimiter(benchmark::State& state) {
  DelimiterOptions o;  // "\r\n" and "\n"; the encoder writes "\r\n".
  o.max_length = 8192;
  run(state, make(delimiter_codec(o)(), 2, static_cast<size_t>(state.range(0))));
}

void decode_fixed_length(benchmark::State& state) {
  const auto size = static_cast<size_t>(state.range(0));
  run(state, make(fixed_length_codec(size)(), 0, size));
}

void decode_length_field(benchmark::State& state) {
  run(state, make(length_field_codec()(), 4, static_cast<size_t>(state.range(0))));
}

void decode_header(benchmark::State& state) {
  run(state, make(header_codec()(), HeaderDecoder::kHeaderSize, static_cast<size_t>(state.range(0))));
}

// Arguments: wire bytes per frame, segmented (0: one segment, 1: 16 KiB segments).
#define WEFT_CODEC_BENCH(fn) BENCHMARK(fn)->ArgNames({"frame", "segmented"})->ArgsProduct({{64, 4096}, {0, 1}})

WEFT_CODEC_BENCH(decode_line);
WEFT_CODEC_BENCH(decode_delimiter);
WEFT_CODEC_BENCH(decode_fixed_length);
WEFT_CODEC_BENCH(decode_length_field);
WEFT_CODEC_BENCH(decode_header);

}  // namespace
}  // namespace weft::codec
