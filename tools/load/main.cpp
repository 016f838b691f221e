// weft-load: verifying load generator for echo-style servers. See --help.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>

#include "admin_flag.h"
#include "clock.h"
#include "codec.h"
#include "options.h"
#include "pool.h"
#include "proc_sampler.h"
#include "progress.h"
#include "report.h"
#include "weft/core/address.h"

namespace weft_load {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) {
  g_stop.store(true);
}

void install_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

void nap(std::uint64_t ns) {
  timespec ts{static_cast<time_t>(ns / kNsPerSec), static_cast<long>(ns % kNsPerSec)};
  ::nanosleep(&ts, nullptr);
}

// Sleeps until `deadline`, `done()` or a stop signal, ticking the progress line.
template <class Done>
void wait_until(std::uint64_t deadline, Progress& progress, Done done) {
  for (;;) {
    const std::uint64_t now = now_ns();
    if (g_stop.load() || now >= deadline || done()) return;
    progress.tick(now);
    nap(std::min({deadline - now, progress.next() - std::min(progress.next(), now), std::uint64_t{10'000'000}}) + 1);
  }
}

// --admin: the generator's own counters, read from the workers' published totals.
struct LoadMetrics {
  LoadMetrics(const Options& opt, const Pool& pool) : endpoint(opt.admin) {
    if (!endpoint.enabled()) return;
    weft::metrics::Registry& r = endpoint.registry();
    r.counter_fn("weft_load_messages_total", "Verified echoes received, warmup included.",
                 [&pool] { return pool.sum(&Worker::live_msgs); });
    r.counter_fn("weft_load_received_bytes_total", "Bytes of the verified echoes.",
                 [&pool] { return pool.sum(&Worker::live_bytes); });
    r.counter_fn("weft_load_errors_total", "Corrupt, lost, duplicate, closed, refused and late messages.",
                 [&pool] { return pool.sum(&Worker::live_errors); });
    r.gauge_fn("weft_load_connections_open", "Connections open to the server.",
               [&pool] { return static_cast<int64_t>(pool.sum(&Worker::live_open)); });
    endpoint.print_urls(stderr);  // Standard output is the report.
  }
  weft::tools::AdminEndpoint endpoint;
};

int run_load(const Options& opt, const weft::Address& ep, const Codec& codec) {
  const std::uint64_t start = now_ns();
  const std::uint64_t window_begin = start + seconds_to_ns(opt.warmup_s);
  const std::uint64_t window_end = window_begin + seconds_to_ns(opt.duration_s);
  Pool pool(opt, ep, codec, opt.conns, start, window_begin, window_end, g_stop);
  LoadMetrics metrics(opt, pool);
  Progress progress(opt, pool, start);
  auto never = [] { return false; };

  wait_until(window_begin, progress, never);
  const double cpu0 = self_cpu_seconds();
  std::optional<double> server0;
  if (opt.server_pid > 0) server0 = process_cpu_seconds(opt.server_pid);

  wait_until(window_end, progress, never);
  const std::uint64_t end = std::min(now_ns(), window_end);
  const double cpu1 = self_cpu_seconds();
  std::optional<double> server1;
  std::optional<long> rss;
  if (opt.server_pid > 0) {
    server1 = process_cpu_seconds(opt.server_pid);
    rss = process_rss_kib(opt.server_pid);
  }
  const bool interrupted = g_stop.load();
  pool.join();

  const Histogram hist = pool.histogram();
  std::optional<double> server_cpu;
  if (server0 && server1) server_cpu = *server1 - *server0;
  const LoadReport r{
      .opt = opt,
      .counters = pool.counters(),
      .hist = hist,
      .window_s = end > window_begin ? static_cast<double>(end - window_begin) / 1e9 : 0,
      .client_cpu_s = cpu1 - cpu0,
      .server_cpu_s = server_cpu,
      .server_rss_kib = rss,
      .interrupted = interrupted,
  };
  print_report(r);
  return r.counters.errors() > 0 ? 1 : 0;
}

int run_idle(const Options& opt, const weft::Address& ep, const Codec& codec) {
  std::optional<long> rss_before, fds_before;
  if (opt.server_pid > 0) {
    rss_before = process_rss_kib(opt.server_pid);
    fds_before = process_fd_count(opt.server_pid);
  }
  const std::uint64_t start = now_ns();
  Pool pool(opt, ep, codec, opt.idle, start, UINT64_MAX, UINT64_MAX, g_stop);
  LoadMetrics metrics(opt, pool);
  Progress progress(opt, pool, start);

  // Connects run at most 256 at a time per thread, each bounded by the timeout.
  const unsigned threads = std::min(opt.threads, opt.idle);
  const std::uint64_t waves = opt.idle / (256 * threads) + 2;
  wait_until(start + waves * seconds_to_ns(opt.connect_timeout_s), progress,
             [&] { return pool.sum(&Worker::live_settled) >= opt.idle; });
  const std::uint64_t settled = now_ns();
  const std::uint64_t established = pool.sum(&Worker::live_open);
  std::fprintf(stderr, "weft-load: idle ready established=%llu requested=%u\n",
               static_cast<unsigned long long>(established), opt.idle);

  std::optional<long> rss_held;
  if (opt.server_pid > 0 && rss_before && fds_before) {
    // The kernel completes handshakes before the server accepts: wait until
    // the server holds a descriptor for each connection before reading RSS.
    const long want = *fds_before + static_cast<long>(established);
    wait_until(now_ns() + 5 * kNsPerSec, progress, [&] {
      auto fds = process_fd_count(opt.server_pid);
      return !fds || *fds >= want;
    });
    rss_held = process_rss_kib(opt.server_pid);
  }

  const std::uint64_t hold_from = now_ns();
  wait_until(hold_from + seconds_to_ns(opt.duration_s), progress, [] { return false; });
  const std::uint64_t hold_to = now_ns();
  const std::uint64_t still_open = pool.sum(&Worker::live_open);
  const bool interrupted = g_stop.load();
  pool.join();

  const IdleReport r{
      .opt = opt,
      .counters = pool.counters(),
      .established = established,
      .still_open = still_open,
      .connect_s = static_cast<double>(settled - start) / 1e9,
      .hold_s = static_cast<double>(hold_to - hold_from) / 1e9,
      .client_cpu_s = self_cpu_seconds(),
      .server_rss_before_kib = rss_before,
      .server_rss_held_kib = rss_held,
      .interrupted = interrupted,
  };
  print_report(r);
  return (r.counters.errors() > 0 || established < opt.idle) ? 1 : 0;
}

}  // namespace
}  // namespace weft_load

int main(int argc, char** argv) {
  using namespace weft_load;
  const Options opt = parse_options(argc, argv);
  const weft::Address address = weft::Address::parse(opt.addr);  // Checked by parse_options.
  const Codec codec(opt.proto, opt.size);
  install_signals();
  return opt.idle_mode() ? run_idle(opt, address, codec) : run_load(opt, address, codec);
}
