#pragma once
// Runs a program (curl, python3, node, wrk) as a real peer for a test: arguments, optional
// standard input, and a deadline after which it is killed. Its output is captured.

#include <optional>
#include <string>
#include <vector>

#include "sync.h"

namespace weft::test {

struct CommandResult {
  int exit_code = -1;  // -1 if it was killed at the deadline or could not start.
  bool timed_out = false;
  std::string out;
  std::string err;
  // "exit 3: <stderr>", for failure messages.
  std::string describe() const;
};

// Runs argv[0] (looked up in PATH) with argv, feeding `input` to its standard input.
CommandResult run_command(const std::vector<std::string>& argv, const std::string& input = {},
                          Duration timeout = kWait);

// True if program can be run (found in PATH, or an existing path).
bool have_program(const std::string& program);

}  // namespace weft::test
