#pragma once
// Client: one connection's protocol state (parser, RESP version, authentication, name,
// subscriptions) and its ordered replies. It lives in the connection's attachment slot
// through a ClientHandle and is owned by its shard: a client whose connection closed while
// replies from other loops were still on their way stays until the last one arrives.
// Only the client's loop thread touches it.
//
// Ordered replies: a command whose key lives on another loop gets its reply later, so
// every reply after it waits too. While any remote reply is outstanding, replies are kept
// in order in `pending_` (slots filled as their replies come) and `staging_` (replies made
// here after the last slot); the front of the queue is written to the connection as soon
// as it is complete. With one loop nothing is ever queued.

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "weft/net/conn.h"
#include "weft/resp/reply_writer.h"
#include "weft/resp/request_parser.h"

namespace weft::kv {

class Shard;
struct Command;

class Client {
 public:
  Client(Shard& shard, Conn& conn, uint64_t id, const resp::RequestLimits& limits, bool authenticated);
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  Shard& shard() const { return *shard_; }
  // The connection, or null once it closed.
  Conn* conn() const { return conn_; }
  uint64_t id() const { return id_; }

  resp::RequestParser parser;
  resp::Protocol protocol = resp::Protocol::resp2;
  bool authenticated() const { return authenticated_; }
  void set_authenticated(bool yes);

  std::string name;
  int64_t created_ms = 0;
  int64_t last_active_ms = 0;
  const Command* last_command = nullptr;
  std::string last_sub;  // The subcommand of a container command (CLIENT LIST shows it).
  bool close_after_reply = false;
  // A command in steps across loops (RENAME, MSETNX) is under way: later commands wait.
  bool blocked = false;

  // Pub/sub: the channels and patterns this client listens to.
  std::vector<std::string> channels;
  std::vector<std::string> patterns;
  size_t subscriptions() const { return channels.size() + patterns.size(); }

  // --- ordered replies ---
  // While a batch of commands runs in on_traffic, its writer into the connection's output.
  resp::ReplyWriter* active_writer = nullptr;
  // True while replies must be queued behind one still coming from another loop.
  bool queueing() const { return !pending_.empty(); }
  // The writer for the next local reply in order: the active writer, or the staging
  // writer while queueing. Loop thread, while the connection is open.
  resp::ReplyWriter& writer();
  // Writes bytes (already encoded in this client's protocol) in order, from outside a
  // batch (pub/sub messages, queued replies).
  void emit(std::string_view bytes);
  // Reserves the next reply slot for a reply coming from elsewhere; returns its number.
  uint64_t reserve_slot();
  // Fills a reserved slot and writes out what is now in order.
  void fill_slot(uint64_t slot, std::string_view bytes);
  // Replies still outstanding (the client must outlive them).
  size_t outstanding() const { return outstanding_; }

  // The connection is gone; later replies are dropped.
  void detach() { conn_ = nullptr; }
  // Closes the connection once every reply before this point is written (QUIT, a protocol
  // error), now when none is outstanding.
  void close_after_replies(std::error_code error);

  // Intrusive list of the shard's clients.
  Client* prev = nullptr;
  Client* next = nullptr;

 private:
  struct Slot {
    uint64_t number;
    bool ready;
    std::string bytes;
  };
  void drain();

  Shard* shard_;
  Conn* conn_;
  uint64_t id_;
  bool authenticated_;
  std::deque<Slot> pending_;
  std::string staging_;
  resp::ReplyWriter staging_writer_;
  uint64_t next_slot_ = 0;
  size_t outstanding_ = 0;
  bool close_pending_ = false;
  std::error_code close_error_;
};

// The connection's attachment: hands the client back to its shard when the connection
// is destroyed.
class ClientHandle final : public Conn::Attachment {
 public:
  explicit ClientHandle(Client* client) : client_(client) {}
  ~ClientHandle() override;
  Client* client() const { return client_; }

 private:
  Client* client_;
};

}  // namespace weft::kv
