#pragma once
// A snapshot as JSON: what /stats serves and what the dashboard receives each second.
//
//   {"uptime_s":..,"servers":[{"name":..,"accept_exhausted":..}],
//    "loops":[{"server":..,"loop":0,"open":..,"accepted":..,"closed":{"reset":..,..},
//              "bytes_in":..,"bytes_out":..,"reads":..,"writes":..,"iterations":..,
//              "busy_s":..,"busy":0.12,"iteration_us":{"count":..,"p50":..,"p90":..,"p99":..},
//              ...}],
//    "app":[{"name":..,"type":"counter","labels":{..},"value":..}],
//    "busiest":[{"server":..,"loop":..,"remote":..,"queued":..}]}
//
// Counters are totals since start. Given the previous snapshot and the seconds between
// the two, each loop also gets its busy fraction over that window and the window's
// iteration-time percentiles ("busy", "iteration_us"), and each histogram its window
// percentiles; without one they cover the whole run.

#include <string>

#include "weft/metrics/snapshot.h"

namespace weft::metrics {

// Any thread.
std::string to_json(const Snapshot& snapshot, const Snapshot* previous = nullptr);

}  // namespace weft::metrics
