// Server commands: INFO (server, clients, memory, stats, keyspace), CONFIG (GET, SET,
// RESETSTAT, HELP), COMMAND (COUNT, DOCS, INFO, LIST, and bare), DEBUG SLEEP, TIME. They
// run on the client's loop and read other loops' counters through their published atomics.

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "client.h"
#include "cmd_util.h"
#include "families.h"
#include "glob.h"
#include "server.h"
#include "weft/version.h"

namespace weft::kv {
namespace {

// Redis's bytesToHuman: "512B", "1.50K", "2.00M", "3.25G".
std::string human(uint64_t n) {
  char buf[32];
  const double d = static_cast<double>(n);
  if (n < 1024) {
    std::snprintf(buf, sizeof buf, "%" PRIu64 "B", n);
  } else if (n < 1024ull * 1024) {
    std::snprintf(buf, sizeof buf, "%.2fK", d / 1024);
  } else if (n < 1024ull * 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%.2fM", d / (1024 * 1024));
  } else {
    std::snprintf(buf, sizeof buf, "%.2fG", d / (1024.0 * 1024 * 1024));
  }
  return buf;
}

uint64_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

struct Totals {
  uint64_t commands = 0, hits = 0, misses = 0, connections = 0, keys = 0, expiring = 0, memory = 0, expired = 0,
           evicted = 0, clients = 0, channels = 0, patterns = 0;
};

Totals totals(KvServer& server) {
  Totals t;
  for (size_t i = 0; i < server.shard_count(); ++i) {
    Shard& s = server.shard(i);
    auto get = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
    t.commands += get(s.commands);
    t.hits += get(s.hits);
    t.misses += get(s.misses);
    t.connections += get(s.connections);
    t.keys += get(s.published_keys);
    t.expiring += get(s.published_expiring);
    t.memory += get(s.published_memory);
    t.expired += get(s.published_expired);
    t.evicted += get(s.published_evicted);
    t.clients += get(s.published_clients);
    t.channels += get(s.published_channels);
    t.patterns += get(s.published_patterns);
  }
  return t;
}

void line(std::string& out, const char* name, const std::string& value) {
  out += name;
  out += ':';
  out += value;
  out += "\r\n";
}
void line(std::string& out, const char* name, uint64_t value) {
  line(out, name, std::to_string(value));
}

std::string info_text(Ctx& c, const std::vector<std::string>& wanted) {
  KvServer& server = c.shard.server();
  // Publish this loop's counters first, so a client sees its own commands.
  c.shard.publish();
  const Totals t = totals(server);
  auto want = [&](const char* section, bool default_section) {
    if (wanted.empty()) return default_section;
    for (const std::string& w : wanted) {
      if (w == section || w == "all" || w == "everything" || (w == "default" && default_section)) return true;
    }
    return false;
  };
  const int64_t now = c.store.now();
  std::string out;
  if (want("server", true)) {
    utsname u{};
    ::uname(&u);
    out += "# Server\r\n";
    line(out, "redis_version", std::string(kRedisVersion));
    line(out, "weft_kv_version", std::string(WEFT_VERSION_STRING));
    line(out, "redis_mode", "standalone");
    line(out, "os", std::string(u.sysname) + " " + u.release + " " + u.machine);
    line(out, "arch_bits", sizeof(void*) * 8);
    line(out, "multiplexing_api", "epoll");
    line(out, "process_id", static_cast<uint64_t>(::getpid()));
    line(out, "tcp_port", 0);
    line(out, "listening_address", server.address());
    line(out, "loops", server.shard_count());
    line(out, "server_time_usec", static_cast<uint64_t>(now) * 1000);
    const auto uptime = static_cast<uint64_t>((now - server.start_time_ms()) / 1000);
    line(out, "uptime_in_seconds", uptime);
    line(out, "uptime_in_days", uptime / 86400);
    line(out, "hz", 10);
    line(out, "lru_clock", c.store.lru_clock());
    out += "\r\n";
  }
  if (want("clients", true)) {
    out += "# Clients\r\n";
    line(out, "connected_clients", t.clients);
    line(out, "blocked_clients", 0);
    out += "\r\n";
  }
  if (want("memory", true)) {
    const uint64_t max = server.maxmemory.load(std::memory_order_relaxed);
    const uint64_t rss = rss_bytes();
    out += "# Memory\r\n";
    line(out, "used_memory", t.memory);
    line(out, "used_memory_human", human(t.memory));
    line(out, "used_memory_rss", rss);
    line(out, "used_memory_rss_human", human(rss));
    line(out, "maxmemory", max);
    line(out, "maxmemory_human", human(max));
    line(out, "maxmemory_policy", std::string(to_string(server.policy.load(std::memory_order_relaxed))));
    out += "\r\n";
  }
  if (want("stats", true)) {
    out += "# Stats\r\n";
    line(out, "total_connections_received", t.connections);
    line(out, "total_commands_processed", t.commands);
    line(out, "expired_keys", t.expired);
    line(out, "evicted_keys", t.evicted);
    line(out, "keyspace_hits", t.hits);
    line(out, "keyspace_misses", t.misses);
    line(out, "pubsub_channels", t.channels);
    line(out, "pubsub_patterns", t.patterns);
    out += "\r\n";
  }
  if (want("keyspace", true)) {
    out += "# Keyspace\r\n";
    if (t.keys != 0) {
      line(out, "db0", "keys=" + std::to_string(t.keys) + ",expires=" + std::to_string(t.expiring) + ",avg_ttl=0");
    }
    out += "\r\n";
  }
  // Redis ends the text without the last blank line's CRLF.
  if (out.size() >= 2) out.resize(out.size() - 2);
  return out;
}

// The settings CONFIG GET knows, with their current values.
std::vector<std::pair<std::string, std::string>> config_values(const KvServer& server) {
  const Options& o = server.options();
  return {
      {"appendonly", "no"},
      {"bind", ""},
      {"databases", "1"},
      {"maxclients", "10000"},
      {"maxmemory", std::to_string(server.maxmemory.load(std::memory_order_relaxed))},
      {"maxmemory-policy", std::string(to_string(server.policy.load(std::memory_order_relaxed)))},
      {"maxmemory-samples", "5"},
      {"port", "0"},
      {"proto-max-bulk-len", std::to_string(o.max_bulk_length)},
      {"requirepass", o.requirepass},
      {"save", ""},
      {"timeout", "0"},
      {"hz", "10"},
      {"io-threads", std::to_string(server.shard_count())},
  };
}

void config_get(Ctx& c) {
  const auto values = config_values(c.shard.server());
  std::vector<const std::pair<std::string, std::string>*> matched;
  for (size_t i = 2; i < c.args.size(); ++i) {
    for (const auto& kv : values) {
      if (std::find(matched.begin(), matched.end(), &kv) != matched.end()) continue;
      if (glob_match(c.args[i], kv.first, true)) matched.push_back(&kv);
    }
  }
  c.out.map(matched.size());
  for (const auto* kv : matched) {
    c.out.bulk(kv->first);
    c.out.bulk(kv->second);
  }
}

void config_set(Ctx& c) {
  if (c.args.size() < 4 || c.args.size() % 2 != 0) {
    c.out.error(err::arity("config|set"));
    return;
  }
  KvServer& server = c.shard.server();
  // Every pair is checked before any is applied.
  std::optional<uint64_t> memory;
  std::optional<EvictionPolicy> policy;
  for (size_t i = 2; i < c.args.size(); i += 2) {
    const std::string_view name = c.args[i];
    const std::string_view value = c.args[i + 1];
    std::string e;
    if (equals_lower(name, "maxmemory")) {
      memory = parse_memory(value);
      if (!memory) e = "CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value";
    } else if (equals_lower(name, "maxmemory-policy")) {
      policy = parse_policy(value);
      if (!policy) {
        e = "CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the "
            "following: noeviction, allkeys-lru";
      }
    } else {
      e = "Unknown option or number of arguments for CONFIG SET - '";
      e += name;
      e += "'";
    }
    if (!e.empty()) {
      c.out.error("ERR " + e);
      return;
    }
  }
  if (memory) server.maxmemory.store(*memory, std::memory_order_relaxed);
  if (policy) server.policy.store(*policy, std::memory_order_relaxed);
  c.out.ok();
}

void help(Ctx& c, std::initializer_list<std::string_view> lines) {
  c.out.array(lines.size());
  for (std::string_view l : lines) c.out.status(l);
}

void command_docs_entry(Ctx& c, const Command& cmd) {
  c.out.bulk(cmd.name);
  c.out.map(3);
  c.out.bulk("summary");
  c.out.bulk(cmd.summary);
  c.out.bulk("since");
  c.out.bulk(WEFT_VERSION_STRING);
  c.out.bulk("group");
  c.out.bulk(cmd.group);
}

void command_info_entry(Ctx& c, const Command& cmd) {
  c.out.array(10);
  c.out.bulk(cmd.name);
  c.out.integer(cmd.arity);
  std::vector<std::string_view> flags;
  if (cmd.flags & flag::kWrite) flags.push_back("write");
  if (cmd.flags & flag::kReadonly) flags.push_back("readonly");
  if (cmd.flags & flag::kDenyOom) flags.push_back("denyoom");
  if (cmd.flags & flag::kAdmin) flags.push_back("admin");
  if (cmd.flags & flag::kPubSub) flags.push_back("pubsub");
  if (cmd.flags & flag::kNoAuth) flags.push_back("no_auth");
  if (cmd.flags & flag::kFast) flags.push_back("fast");
  c.out.set(flags.size());
  for (std::string_view f : flags) c.out.status(f);
  c.out.integer(cmd.first_key);
  c.out.integer(cmd.last_key);
  c.out.integer(cmd.key_step);
  for (int i = 0; i < 4; ++i) c.out.array(0);  // ACL categories, tips, key specs, subcommands.
}

}  // namespace

void cmd_info(Ctx& c) {
  std::vector<std::string> wanted;
  for (size_t i = 1; i < c.args.size(); ++i) {
    std::string s(c.args[i]);
    for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    wanted.push_back(std::move(s));
  }
  c.out.verbatim(info_text(c, wanted));
}

void cmd_config(Ctx& c) {
  const std::string_view sub = c.args[1];
  if (equals_lower(sub, "get") && c.args.size() >= 3) {
    config_get(c);
  } else if (equals_lower(sub, "set")) {
    config_set(c);
  } else if (equals_lower(sub, "resetstat") && c.args.size() == 2) {
    for (size_t i = 0; i < c.shard.server().shard_count(); ++i) {
      Shard& s = c.shard.server().shard(i);
      s.hits.store(0, std::memory_order_relaxed);
      s.misses.store(0, std::memory_order_relaxed);
      s.commands.store(0, std::memory_order_relaxed);
    }
    c.out.ok();
  } else if (equals_lower(sub, "help") && c.args.size() == 2) {
    help(c, {"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "GET <pattern>",
             "    Return parameters matching the glob-like <pattern> and their values.", "SET <directive> <value>",
             "    Set the configuration <directive> to <value> (maxmemory, maxmemory-policy).", "RESETSTAT",
             "    Reset statistics reported by the INFO command.", "HELP", "    Print this help."});
  } else if (equals_lower(sub, "get")) {
    c.out.error(err::arity("config|get"));
  } else {
    c.out.error(err::unknown_subcommand("config", sub));
  }
}

void cmd_command(Ctx& c) {
  const CommandTable& table = c.shard.server().commands();
  const std::span<const Command> all = table.all();
  if (c.args.size() == 1) {
    c.out.array(all.size());
    for (const Command& cmd : all) command_info_entry(c, cmd);
    return;
  }
  const std::string_view sub = c.args[1];
  if (equals_lower(sub, "count") && c.args.size() == 2) {
    c.out.integer(static_cast<int64_t>(all.size()));
  } else if (equals_lower(sub, "list") && c.args.size() == 2) {
    c.out.array(all.size());
    for (const Command& cmd : all) c.out.bulk(cmd.name);
  } else if (equals_lower(sub, "docs")) {
    if (c.args.size() == 2) {
      c.out.map(all.size());
      for (const Command& cmd : all) command_docs_entry(c, cmd);
      return;
    }
    std::vector<const Command*> found;
    for (size_t i = 2; i < c.args.size(); ++i) {
      if (const Command* cmd = table.find(c.args[i])) found.push_back(cmd);
    }
    c.out.map(found.size());
    for (const Command* cmd : found) command_docs_entry(c, *cmd);
  } else if (equals_lower(sub, "info")) {
    if (c.args.size() == 2) {
      c.out.array(all.size());
      for (const Command& cmd : all) command_info_entry(c, cmd);
      return;
    }
    c.out.array(c.args.size() - 2);
    for (size_t i = 2; i < c.args.size(); ++i) {
      if (const Command* cmd = table.find(c.args[i])) {
        command_info_entry(c, *cmd);
      } else {
        c.out.null_array();
      }
    }
  } else if (equals_lower(sub, "help") && c.args.size() == 2) {
    help(c, {"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "(no subcommand)",
             "    Return details about all commands.", "COUNT", "    Return the total number of commands.",
             "DOCS [<command-name> ...]", "    Return documentation details about commands.",
             "INFO [<command-name> ...]", "    Return details about the given commands.", "LIST",
             "    Return a list of all commands.", "HELP", "    Print this help."});
  } else {
    c.out.error(err::unknown_subcommand("command", sub));
  }
}

void cmd_debug(Ctx& c) {
  if (equals_lower(c.args[1], "sleep") && c.args.size() == 3) {
    std::optional<double> seconds = parse_double(c.args[2]);
    if (!seconds || *seconds < 0) {
      c.out.error(err::kNotFloat);
      return;
    }
    // As in Redis, the loop itself sleeps: its other clients wait too.
    if (*seconds > 0) {
      std::this_thread::sleep_for(std::chrono::duration<double>(*seconds));
      c.shard.refresh_clock();  // The commands after it in the same batch see the new time.
    }
    c.out.ok();
  } else if (equals_lower(c.args[1], "help")) {
    help(c, {"DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "SLEEP <seconds>",
             "    Stop the server for <seconds>. Decimals allowed.", "HELP", "    Print this help."});
  } else {
    c.out.error(err::unknown_subcommand("debug", c.args[1]));
  }
}

void cmd_time(Ctx& c) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
  c.out.array(2);
  c.out.bulk(static_cast<int64_t>(us / 1000000));
  c.out.bulk(static_cast<int64_t>(us % 1000000));
}

}  // namespace weft::kv
