#include "weft/core/log.h"

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <mutex>

namespace weft {
namespace {

std::atomic<LogLevel> g_level{LogLevel::info};

LogSink& sink() {
  static LogSink s;
  return s;
}

void stderr_sink(LogLevel level, std::string_view message) {
  static constexpr const char* kNames[] = {"debug", "info", "warn", "error", "off"};
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::fprintf(stderr, "weft %s: %.*s\n", kNames[static_cast<int>(level)],
               static_cast<int>(message.size()), message.data());
}

}  // namespace

void set_log_sink(LogSink s) { sink() = std::move(s); }
void set_log_level(LogLevel level) { g_level.store(level, std::memory_order_relaxed); }
LogLevel log_level() { return g_level.load(std::memory_order_relaxed); }

namespace detail {

void log(LogLevel level, const char* format, ...) {
  char text[512];
  va_list args;
  va_start(args, format);
  int n = std::vsnprintf(text, sizeof text, format, args);
  va_end(args);
  if (n < 0) return;
  std::string_view message(text, std::min<size_t>(static_cast<size_t>(n), sizeof text - 1));
  if (sink()) {
    sink()(level, message);
  } else {
    stderr_sink(level, message);
  }
}

}  // namespace detail
}  // namespace weft
