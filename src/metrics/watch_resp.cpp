// Registry::watch_commands: a RESP server's per-loop CommandStats as
// weft_resp_commands_total, weft_resp_command_errors_total and weft_resp_command_seconds.

#include <string>

#include "weft/metrics/registry.h"
#include "weft/resp/stats.h"

namespace weft::metrics {

void Registry::watch_commands(std::string_view name, const std::vector<const resp::CommandStats*>& per_loop) {
  for (size_t i = 0; i < per_loop.size(); ++i) {
    const resp::CommandStats& s = *per_loop[i];
    const Labels labels = {{"server", std::string(name)}, {"loop", std::to_string(i)}};
    counter_fn(
        "weft_resp_commands_total", "RESP commands run.", [&s] { return s.commands.get(); }, labels);
    counter_fn(
        "weft_resp_command_errors_total", "RESP commands answered with an error.", [&s] { return s.errors.get(); },
        labels);
    histogram_fn(
        "weft_resp_command_seconds", "RESP command latency, from the iteration that read it to its reply.",
        [&s] { return s.latency_ns.snapshot(); }, labels);
  }
}

}  // namespace weft::metrics
