#pragma once

#include <cstdint>
#include <cstdio>

#include "options.h"
#include "pool.h"

namespace weft_load {

// Once-a-second progress line while a run goes on, printed only when stdout is
// a terminal (to stderr with --json, so stdout stays one JSON object).
class Progress {
 public:
  Progress(const Options& opt, const Pool& pool, std::uint64_t start);

  std::uint64_t next() const noexcept { return next_; }
  void tick(std::uint64_t now);  // prints when next() has passed

 private:
  const Pool& pool_;
  std::uint64_t start_;
  std::uint64_t next_;
  bool enabled_;
  std::FILE* out_;
  std::uint64_t msgs_ = 0;
  std::uint64_t bytes_ = 0;
};

}  // namespace weft_load
