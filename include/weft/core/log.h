#pragma once
// A small pluggable log sink. weft writes to stderr by default; an application that has its
// own logger installs a sink once at start-up. The sink may be called from any loop thread
// at the same time, so it must be thread-safe (the default one is).

#include <functional>
#include <string_view>

namespace weft {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3, off = 4 };

using LogSink = std::function<void(LogLevel, std::string_view message)>;

// Replaces the sink; an empty function restores the stderr sink. Not safe to call while
// loops are running.
void set_log_sink(LogSink sink);

// Messages below this level are dropped before formatting. Safe from any thread.
void set_log_level(LogLevel level);
LogLevel log_level();

namespace detail {
void log(LogLevel level, const char* format, ...) __attribute__((format(printf, 2, 3)));
}  // namespace detail

}  // namespace weft

#define WEFT_LOG(level, ...)                                           \
  do {                                                                 \
    if (static_cast<int>(level) >= static_cast<int>(::weft::log_level())) \
      ::weft::detail::log(level, __VA_ARGS__);                          \
  } while (0)
