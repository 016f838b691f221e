#pragma once
// The log flags every weft server program shares:
//
//   --log-level LEVEL        debug, info, warn, error or off: messages below it are dropped
//   --log-level-file FILE    read the level from FILE instead, at start and on each SIGHUP
//
// The file holds the level's word (blank lines and lines starting with '#' are skipped),
// so a running server's level changes without a restart:
//
//   echo debug > /etc/weft/log-level && kill -HUP <pid>     (or systemctl reload)
//
// A file that cannot be read or names no level stops the program at start (exit 2); on a
// SIGHUP it is reported and the current level stays.

#include <optional>
#include <string>
#include <string_view>

#include "cli.h"
#include "weft/core/log.h"

namespace weft::tools {

struct LogFlags {
  LogLevel level = LogLevel::info;
  std::string level_file;
};

void add_log_flags(App& app, LogFlags& flags);

std::optional<LogLevel> parse_log_level(std::string_view word);
const char* to_string(LogLevel level);

// The level the flags ask for now: the file's when --log-level-file is given, else
// --log-level. On failure, nullopt and `error` says why, naming the flag.
std::optional<LogLevel> configured_log_level(const LogFlags& flags, std::string& error);

}  // namespace weft::tools
