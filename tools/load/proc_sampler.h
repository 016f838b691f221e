#pragma once

#include <optional>

namespace weft_load {

// CPU seconds (user + system) this process has used so far, all threads.
double self_cpu_seconds() noexcept;

// CPU seconds (utime + stime, all threads) of another process, read from
// /proc/PID/stat; nullopt when the process is gone or unreadable.
std::optional<double> process_cpu_seconds(int pid) noexcept;

// Resident set size in KiB from /proc/PID/status (VmRSS).
std::optional<long> process_rss_kib(int pid) noexcept;

// Number of open file descriptors (entries of /proc/PID/fd).
std::optional<long> process_fd_count(int pid) noexcept;

}  // namespace weft_load
