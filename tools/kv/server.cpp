#include "server.h"

#include <algorithm>
#include <chrono>
#include <random>

#include "client.h"
#include "errors.h"
#include "shard.h"
#include "weft/core/error.h"

namespace weft::kv {

KvServer::KvServer(const Options& options) : options_(options) {
  limits_.max_bulk_length = options.max_bulk_length;
  limits_.max_request_length = std::max<size_t>(limits_.max_request_length, options.max_bulk_length + 64 * 1024);
  resp::validate(limits_);
  maxmemory.store(options.maxmemory);
  policy.store(options.policy);
}

KvServer::~KvServer() = default;

void KvServer::on_boot(Server& server) {
  std::random_device entropy;
  const uint64_t seed = (static_cast<uint64_t>(entropy()) << 32) ^ entropy();
  for (size_t i = 0; i < server.loop_count(); ++i) {
    shards_.push_back(std::make_unique<Shard>(*this, static_cast<uint32_t>(i), server.loop(i), seed));
  }
  start_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                  .count();
  bound_address_ = server.address().to_string();
  // Each shard's periodic work runs on its own loop, from its first iteration.
  for (auto& shard : shards_) {
    Shard* s = shard.get();
    s->loop().post([s] { s->start_cron(); });
  }
}

void KvServer::on_shutdown(Server&) {}

Client& KvServer::client_of(Conn& conn) {
  return *static_cast<ClientHandle*>(conn.attachment())->client();
}

void KvServer::on_open(Conn& conn) {
  for (auto& s : shards_) {
    if (&s->loop() == &conn.loop()) {
      conn.attach(std::make_unique<ClientHandle>(s->add_client(conn)));
      return;
    }
  }
  conn.close();
}

void KvServer::on_traffic(Conn& conn) {
  if (conn.attachment() == nullptr) return;
  process(client_of(conn));
}

void KvServer::on_close(Conn&, CloseReason, std::error_code) {}

bool KvServer::on_stopping(Conn& conn) {
  if (conn.attachment() == nullptr) return true;
  if (options_.serve_until_clients_close) return false;
  Client& c = client_of(conn);
  if (!c.queueing()) return true;
  c.close_after_reply = true;  // Runs nothing more of what it sent.
  c.close_after_replies({});
  return false;
}

namespace {

// One clock read per batch: every command of the batch gets the batch's latency.
void count_commands(resp::CommandStats& stats, uint64_t ran, uint64_t errors, TimePoint read_at) {
  if (ran == 0) return;
  stats.commands.add(ran);
  stats.errors.add(errors);
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - read_at).count();
  for (uint64_t i = 0; i < ran; ++i) stats.latency_ns.record(ns > 0 ? static_cast<uint64_t>(ns) : 0);
}

}  // namespace

void KvServer::process(Client& c) {
  if (c.blocked || c.close_after_reply) return;
  Conn& conn = *c.conn();
  Shard& shard = c.shard();
  shard.refresh_clock();
  const InputView in = conn.inbound();
  size_t used = 0;
  std::error_code close_error;
  uint64_t ran = 0;
  uint64_t errors = 0;
  {
    resp::ReplyWriter out(conn.output(), c.protocol);
    c.active_writer = &out;
    // Stops when the input is used up: parsing no bytes would find nothing.
    while (used < in.size()) {
      const resp::ParseResult r = c.parser.parse(in, used);
      used += r.consumed;
      if (r.kind == resp::ParseResult::Kind::need_more) break;
      if (r.kind == resp::ParseResult::Kind::error) {
        // Redis answers a protocol error, then closes once the answer is sent.
        c.writer().error(resp::message(r.error, r.got));
        c.close_after_reply = true;
        close_error = make_error_code(Errc::protocol_error);
        break;
      }
      resp::ReplyWriter& w = c.writer();
      const uint64_t errors_before = w.errors();
      execute(c, c.parser.args(), w);
      ++ran;
      errors += w.errors() != errors_before ? 1 : 0;
      if (c.close_after_reply || c.blocked) break;
    }
    c.active_writer = nullptr;
  }
  c.last_active_ms = shard.store().now();
  conn.discard(used);
  conn.commit_output();
  count_commands(shard.command_stats, ran, errors, conn.loop().now());
  shard.publish();
  if (c.close_after_reply) c.close_after_replies(close_error);
}

void KvServer::execute(Client& c, Args args, resp::ReplyWriter& out) {
  Shard& shard = c.shard();
  Shard::bump(shard.commands);
  const Command* cmd = commands_.find(args[0]);
  if (cmd == nullptr) {
    // Redis drops a connection that looks like an HTTP request smuggled to it.
    if (equals_lower(args[0], "host:") || equals_lower(args[0], "post")) {
      c.close_after_reply = true;
      return;
    }
    out.error(err::unknown_command(args[0], args.data() + 1, args.size() - 1));
    return;
  }
  if (!cmd->arity_ok(args.size())) {
    out.error(err::arity(cmd->name));
    return;
  }
  if (!c.authenticated() && (cmd->flags & flag::kNoAuth) == 0) {
    out.error(err::kNoAuth);
    return;
  }
  if (c.subscriptions() != 0 && c.protocol == resp::Protocol::resp2 && (cmd->flags & flag::kPubSub) == 0) {
    std::string e = "ERR Can't execute '";
    e += cmd->name;
    e += "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context";
    out.error(e);
    return;
  }
  if ((cmd->flags & flag::kDenyOom) != 0 && shard.refuses_writes()) {
    out.error(err::kOom);
    return;
  }
  c.last_command = cmd;
  shard.router().run(c, *cmd, args, out);
}

}  // namespace weft::kv
