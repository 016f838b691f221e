#include "log_flags.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>
#include <vector>

namespace weft::tools {
namespace {

constexpr std::pair<const char*, LogLevel> kLevels[] = {{"debug", LogLevel::debug},
                                                        {"info", LogLevel::info},
                                                        {"warn", LogLevel::warn},
                                                        {"error", LogLevel::error},
                                                        {"off", LogLevel::off}};

std::string_view trim(std::string_view text) {
  const char* kSpace = " \t\r\n";
  size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

}  // namespace

void add_log_flags(App& app, LogFlags& flags) {
  std::vector<std::pair<std::string, LogLevel>> choices;
  for (auto [name, level] : kLevels) choices.emplace_back(name, level);
  app.add_choice("--log-level", flags.level, choices, "log messages at this level and above");
  app.add_file("--log-level-file", flags.level_file,
               "read the log level from this file (one word, as --log-level) at start and again on SIGHUP");
}

std::optional<LogLevel> parse_log_level(std::string_view word) {
  for (auto [name, level] : kLevels) {
    if (word == name) return level;
  }
  return std::nullopt;
}

const char* to_string(LogLevel level) {
  for (auto [name, value] : kLevels) {
    if (value == level) return name;
  }
  return "unknown";
}

std::optional<LogLevel> configured_log_level(const LogFlags& flags, std::string& error) {
  if (flags.level_file.empty()) return flags.level;
  std::ifstream in(flags.level_file);
  if (!in) {
    error = "--log-level-file: cannot read '" + flags.level_file + "': " + std::strerror(errno);
    return std::nullopt;
  }
  for (std::string line; std::getline(in, line);) {
    std::string_view word = trim(line);
    if (word.empty() || word.front() == '#') continue;
    if (auto level = parse_log_level(word)) return level;
    error = "--log-level-file: '" + flags.level_file + "' names no level (debug, info, warn, error or off): '" +
            std::string(word) + "'";
    return std::nullopt;
  }
  error = "--log-level-file: '" + flags.level_file + "' is empty";
  return std::nullopt;
}

}  // namespace weft::tools
