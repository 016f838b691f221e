#pragma once

#include <cstdint>
#include <optional>

#include "histogram.h"
#include "options.h"
#include "stats.h"

namespace weft_load {

struct LoadReport {
  const Options& opt;
  Counters counters;
  const Histogram& hist;  // latency in ns, measured window only
  double window_s = 0;
  double client_cpu_s = 0;             // this process, over the window
  std::optional<double> server_cpu_s;  // --server-pid, over the window
  std::optional<long> server_rss_kib;  // --server-pid, at the end of the window
  bool interrupted = false;
};

struct IdleReport {
  const Options& opt;
  Counters counters;
  std::uint64_t established = 0;  // open once every attempt had settled
  std::uint64_t still_open = 0;   // open at the end of the hold
  double connect_s = 0;           // until every attempt had settled
  double hold_s = 0;
  double client_cpu_s = 0;
  std::optional<long> server_rss_before_kib;  // --server-pid, before connecting
  std::optional<long> server_rss_held_kib;    // --server-pid, once it had accepted them all
  bool interrupted = false;
};

// Text (human lines plus a final "RESULT key=value ..." line) or, with --json,
// a single JSON object, on stdout.
void print_report(const LoadReport& r);
void print_report(const IdleReport& r);

}  // namespace weft_load
