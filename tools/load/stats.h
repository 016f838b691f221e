#pragma once

#include <cstdint>

namespace weft_load {

// Per-worker tallies; merged by the main thread after the workers stop.
struct Counters {
  std::uint64_t msgs = 0;        // verified echoes received inside the measured window
  std::uint64_t bytes = 0;       // their bytes
  std::uint64_t msgs_total = 0;  // verified echoes over the whole run, warmup included
  std::uint64_t connects = 0;    // connections established

  // Errors, counted over the whole run. Each one also closes the connection
  // (a desynchronised stream cannot be checked further); it is then reopened.
  std::uint64_t err_corrupt = 0;    // bytes differ from what was sent
  std::uint64_t err_lost = 0;       // a later message arrived before the expected one
  std::uint64_t err_duplicate = 0;  // an earlier message, or data nobody asked for
  std::uint64_t err_closed = 0;     // peer closed or reset the connection
  std::uint64_t err_connect = 0;    // connect refused, failed or timed out
  std::uint64_t err_timeout = 0;    // an echo took longer than --response-timeout

  std::uint64_t errors() const noexcept {
    return err_corrupt + err_lost + err_duplicate + err_closed + err_connect + err_timeout;
  }

  void merge(const Counters& o) noexcept {
    msgs += o.msgs;
    bytes += o.bytes;
    msgs_total += o.msgs_total;
    connects += o.connects;
    err_corrupt += o.err_corrupt;
    err_lost += o.err_lost;
    err_duplicate += o.err_duplicate;
    err_closed += o.err_closed;
    err_connect += o.err_connect;
    err_timeout += o.err_timeout;
  }
};

}  // namespace weft_load
