// Hot paths of the buffer layer: append/consume cycles as the echo path does them, and
// reading through an InputView over several segments.

#include <benchmark/benchmark.h>
#include <sys/uio.h>

#include <string>
#include <vector>

#include "weft/core/buffer.h"
#include "weft/core/input_view.h"

namespace {

void BM_BufferAppendConsume(benchmark::State& state) {
  weft::BlockPool pool;
  weft::Buffer buf(pool);
  std::string msg(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    buf.append(msg);
    iovec iov[64];
    benchmark::DoNotOptimize(buf.fill_iovec(iov, 64));
    buf.consume(msg.size());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_BufferAppendConsume)->Arg(64)->Arg(4096)->Arg(65536);

void BM_BufferPipelined(benchmark::State& state) {
  // Sixteen messages queued, then flushed at once: the pipelined echo shape.
  weft::BlockPool pool;
  weft::Buffer buf(pool);
  std::string msg(64, 'x');
  for (auto _ : state) {
    for (int i = 0; i < 16; ++i) buf.append(msg);
    buf.consume(buf.size());
  }
  state.SetItemsProcessed(state.iterations() * 16);
}
BENCHMARK(BM_BufferPipelined);

void BM_InputViewFind(benchmark::State& state) {
  std::string text(static_cast<size_t>(state.range(0)), 'a');
  text += "\r\n";
  std::vector<std::string_view> segs;
  for (size_t at = 0; at < text.size(); at += 1024) segs.push_back(std::string_view(text).substr(at, 1024));
  weft::InputView view{std::span<const std::string_view>(segs)};
  for (auto _ : state) benchmark::DoNotOptimize(view.find("\r\n"));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_InputViewFind)->Arg(64)->Arg(4096)->Arg(65536);

}  // namespace
