// Connection commands: PING, ECHO, HELLO, AUTH, SELECT, CLIENT (SETNAME, GETNAME, ID,
// LIST, INFO, HELP), QUIT, RESET. They run on the client's own loop. Replies and errors
// follow Redis 7.0 (server.c, networking.c, acl.c).

#include <string>

#include "client.h"
#include "cmd_util.h"
#include "families.h"
#include "pubsub.h"
#include "server.h"

namespace weft::kv {
namespace {

bool password_matches(const KvServer& server, std::string_view user, std::string_view password) {
  if (user != "default") return false;
  // The default user without a password accepts any, as in Redis.
  return !server.auth_required() || password == server.options().requirepass;
}

// Redis allows printable ASCII without spaces in client names.
bool valid_name(std::string_view name) {
  for (char ch : name) {
    if (ch < '!' || ch > '~') return false;
  }
  return true;
}

void set_name_or_reply(Ctx& c, std::string_view name, bool* failed) {
  if (!valid_name(name)) {
    c.out.error("ERR Client names cannot contain spaces, newlines or special characters.");
    *failed = true;
    return;
  }
  c.client->name.assign(name);
}

std::string peer_address(const Address& a) {
  if (a.is_unix()) return a.host() + ":0";
  const std::string host = a.host();
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(a.port());
  return host + ":" + std::to_string(a.port());
}

}  // namespace

void client_info_line(const Client& client, std::string& out) {
  const int64_t now = client.shard().store().now();
  Conn* conn = client.conn();
  const std::string addr = conn != nullptr ? peer_address(conn->remote_address()) : "?";
  const std::string laddr = conn != nullptr ? peer_address(conn->local_address()) : "?";
  std::string cmd = client.last_command != nullptr ? std::string(client.last_command->name) : "NULL";
  if (!client.last_sub.empty()) cmd += "|" + client.last_sub;
  out += "id=" + std::to_string(client.id());
  out += " addr=" + addr;
  out += " laddr=" + laddr;
  out += " fd=" + std::to_string(conn != nullptr ? conn->fd() : -1);
  out += " name=" + client.name;
  out += " age=" + std::to_string((now - client.created_ms) / 1000);
  out += " idle=" + std::to_string((now - client.last_active_ms) / 1000);
  out += client.subscriptions() != 0 ? " flags=P" : " flags=N";
  out += " db=0 sub=" + std::to_string(client.channels.size());
  out += " psub=" + std::to_string(client.patterns.size());
  out += " ssub=0 multi=-1";
  out += " qbuf=" + std::to_string(conn != nullptr ? conn->inbound_size() : 0);
  out += " qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0";
  out += " omem=" + std::to_string(conn != nullptr ? conn->outbound_size() : 0);
  out += " tot-mem=0 events=r cmd=" + cmd;
  out += " user=default redir=-1 resp=";
  out += client.protocol == resp::Protocol::resp3 ? "3" : "2";
  out += "\n";
}

void cmd_ping(Ctx& c) {
  if (c.args.size() > 2) {
    c.out.error(err::arity("ping"));
    return;
  }
  if (c.client->subscriptions() != 0 && c.client->protocol == resp::Protocol::resp2) {
    c.out.array(2);
    c.out.bulk("pong");
    c.out.bulk(c.args.size() == 1 ? std::string_view() : c.args[1]);
    return;
  }
  if (c.args.size() == 1) {
    c.out.status("PONG");
  } else {
    c.out.bulk(c.args[1]);
  }
}

void cmd_echo(Ctx& c) {
  c.out.bulk(c.args[1]);
}

void cmd_hello(Ctx& c) {
  Client& client = *c.client;
  int64_t version = 0;
  size_t next = 1;
  if (c.args.size() >= 2) {
    std::optional<int64_t> v = int_arg(c, c.args[next++], "ERR Protocol version is not an integer or out of range");
    if (!v) return;
    version = *v;
    if (version < 2 || version > 3) {
      c.out.error("NOPROTO unsupported protocol version");
      return;
    }
  }
  const KvServer& server = c.shard.server();
  for (size_t j = next; j < c.args.size(); ++j) {
    const size_t more = c.args.size() - 1 - j;
    if (equals_lower(c.args[j], "auth") && more >= 2) {
      if (!password_matches(server, c.args[j + 1], c.args[j + 2])) {
        c.out.error(err::kWrongPass);
        return;
      }
      client.set_authenticated(true);
      j += 2;
    } else if (equals_lower(c.args[j], "setname") && more >= 1) {
      bool failed = false;
      set_name_or_reply(c, c.args[j + 1], &failed);
      if (failed) return;
      ++j;
    } else {
      std::string e = "ERR Syntax error in HELLO option '";
      e += c.args[j];
      e += "'";
      c.out.error(e);
      return;
    }
  }
  if (!client.authenticated()) {
    c.out.error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> "
        "option can be used to authenticate the client and select the RESP protocol version at the same time");
    return;
  }
  if (version != 0) {
    client.protocol = version == 3 ? resp::Protocol::resp3 : resp::Protocol::resp2;
    c.out.set_protocol(client.protocol);
  }
  c.out.map(7);
  c.out.bulk("server");
  c.out.bulk("weft-kv");
  c.out.bulk("version");
  c.out.bulk(kRedisVersion);
  c.out.bulk("proto");
  c.out.integer(client.protocol == resp::Protocol::resp3 ? 3 : 2);
  c.out.bulk("id");
  c.out.integer(static_cast<int64_t>(client.id()));
  c.out.bulk("mode");
  c.out.bulk("standalone");
  c.out.bulk("role");
  c.out.bulk("master");
  c.out.bulk("modules");
  c.out.array(0);
}

void cmd_auth(Ctx& c) {
  if (c.args.size() > 3) {
    c.out.error(err::kSyntax);
    return;
  }
  const KvServer& server = c.shard.server();
  if (c.args.size() == 2 && !server.auth_required()) {
    c.out.error(
        "ERR AUTH <password> called without any password configured for the default user. Are you sure your "
        "configuration is correct?");
    return;
  }
  const std::string_view user = c.args.size() == 2 ? std::string_view("default") : c.args[1];
  const std::string_view password = c.args.back();
  if (!password_matches(server, user, password)) {
    c.out.error(err::kWrongPass);
    return;
  }
  c.client->set_authenticated(true);
  c.out.ok();
}

void cmd_select(Ctx& c) {
  std::optional<int64_t> db = int_arg(c, c.args[1], "ERR value is not an integer or out of range");
  if (!db) return;
  // One database: weft-kv is configured like a Redis with `databases 1`.
  if (*db != 0) {
    c.out.error("ERR DB index is out of range");
    return;
  }
  c.out.ok();
}

void cmd_quit(Ctx& c) {
  c.out.ok();
  c.client->close_after_reply = true;
}

void cmd_reset(Ctx& c) {
  Client& client = *c.client;
  unsubscribe_all(client);
  client.protocol = resp::Protocol::resp2;
  c.out.set_protocol(client.protocol);
  client.name.clear();
  client.set_authenticated(!c.shard.server().auth_required());
  c.out.status("RESET");
}

void cmd_client(Ctx& c) {
  Client& client = *c.client;
  const std::string_view sub = c.args[1];
  client.last_sub.clear();
  for (char ch : sub.substr(0, 16)) client.last_sub += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const size_t n = c.args.size();
  if (equals_lower(sub, "help") && n == 2) {
    static constexpr std::string_view kHelp[] = {
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "LIST",
        "    Return information about client connections.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "HELP",
        "    Print this help.",
    };
    c.out.array(std::size(kHelp));
    for (std::string_view line : kHelp) c.out.status(line);
  } else if (equals_lower(sub, "id") && n == 2) {
    c.out.integer(static_cast<int64_t>(client.id()));
  } else if (equals_lower(sub, "getname") && n == 2) {
    if (client.name.empty()) {
      c.out.null();
    } else {
      c.out.bulk(client.name);
    }
  } else if (equals_lower(sub, "setname") && n == 3) {
    bool failed = false;
    set_name_or_reply(c, c.args[2], &failed);
    if (!failed) c.out.ok();
  } else if (equals_lower(sub, "info") && n == 2) {
    std::string line;
    client_info_line(client, line);
    c.out.verbatim(line);
  } else if (equals_lower(sub, "list") && n == 2) {
    // The clients of every loop.
    if (c.shard.server().shard_count() > 1) {
      c.shard.router().client_list(client);
      return;
    }
    std::string text;
    c.shard.for_each_client([&](const Client& each) { client_info_line(each, text); });
    c.out.verbatim(text);
  } else if (equals_lower(sub, "setname") || equals_lower(sub, "getname") || equals_lower(sub, "id") ||
             equals_lower(sub, "info") || equals_lower(sub, "list")) {
    std::string lower = "client|" + client.last_sub;
    c.out.error(err::arity(lower));
  } else {
    c.out.error(err::unknown_subcommand("client", sub));
  }
}

}  // namespace weft::kv
