#pragma once
// Router: runs a client's commands on the shards that own their keys. One per shard.
//
// A key is owned by one shard (shard_of its hash). A command on keys of this shard runs
// here at once; with one loop that is every command, and nothing below is ever used.
// Otherwise:
//   - a command on one key owned elsewhere is sent to the owner; its reply comes back
//     and fills the slot the client reserved for it (Client keeps replies in order);
//   - a command on keys of several shards (MGET, MSET, DEL, EXISTS, SINTER, ...) and one
//     that concerns every shard (KEYS, DBSIZE, FLUSHALL, PUBLISH, CLIENT LIST) runs as
//     parts, one per shard, whose replies are merged into the one reply;
//   - RENAME and MSETNX across shards take steps one after the other; the client's next
//     commands wait until the last step is done.
// Work for another shard is gathered in one Batch per destination and posted once per loop
// iteration (from a zero-delay timer, so everything this iteration's reads produced goes
// together); the owner runs the whole batch and posts it back with the replies. Batches
// between two shards are handled in the order they were sent, so a client's commands on
// one key keep their order.
//
// Threads: every member runs on the shard's own loop thread. Batches cross threads only
// through EventLoop::post.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "command.h"
#include "record.h"

namespace weft::kv {

class Client;
class Shard;
struct Gather;

// One piece of work sent to another shard and its result.
struct Call {
  enum class Kind : uint8_t {
    reply,  // A whole command; its reply (in the client's protocol) fills a slot.
    part,   // A part of a command spanning shards; its RESP2 reply goes to a gather.
    take,   // Remove a key and hand its record over (RENAME's first step).
    put,    // Store a handed-over record under a key (RENAME's second step).
  };
  Kind kind = Kind::reply;
  resp::Protocol protocol = resp::Protocol::resp2;
  bool nx = false;  // put: only if the key is absent; else the record comes back.
  const Command* command = nullptr;
  Client* client = nullptr;
  Gather* gather = nullptr;
  uint64_t slot = 0;
  uint32_t part = 0;
  uint32_t first_arg = 0;
  uint32_t argc = 0;
  Record* record = nullptr;
  size_t reply_begin = 0;
  size_t reply_end = 0;
};

// The calls from one shard to another in one round trip.
struct Batch {
  uint32_t from = 0;
  uint32_t to = 0;
  std::vector<Call> calls;
  std::string arg_bytes;
  std::vector<std::pair<size_t, size_t>> args;  // (offset, length) in arg_bytes.
  std::string replies;
  std::vector<std::string_view> views;  // Scratch for the receiver.

  void clear();
  // Copies args into the batch; returns the index of the first.
  uint32_t add_args(Args a);
  Args args_of(const Call& c);
  std::string_view reply_of(const Call& c) const {
    return {replies.data() + c.reply_begin, c.reply_end - c.reply_begin};
  }
};

class Router {
 public:
  explicit Router(Shard& home);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Runs `cmd` for a client of this shard: here when this shard owns what it touches (the
  // reply goes to `out`), else as described above.
  void run(Client& client, const Command& cmd, Args args, resp::ReplyWriter& out);
  // CLIENT LIST over every shard, for a client of this shard.
  void client_list(Client& client);

  // A batch of calls from another shard: runs them and sends the batch back.
  void serve(Batch* batch);
  // One of this shard's batches came back: delivers its results.
  void complete(Batch* batch);

 private:
  friend struct Gather;
  uint32_t owner(std::string_view key) const;
  Call& send(uint32_t to, Call::Kind kind, Args args, resp::Protocol protocol);
  void schedule_flush();
  void flush();
  void forward(Client& client, const Command& cmd, Args args);
  void multi(Client& client, const Command& cmd, Args args, resp::ReplyWriter& out);
  void all(Client& client, const Command& cmd, Args args, resp::ReplyWriter& out);
  void rename(Client& client, const Command& cmd, Args args, resp::ReplyWriter& out);
  void msetnx(Client& client, const Command& cmd, Args args);
  // A command in steps holds the client's later commands until answer() gives its reply.
  void block(Client& client);
  void answer(Gather& g, std::string_view reply);
  // Runs a part here; its RESP2 reply goes straight into the gather.
  void run_part_here(Gather& g, uint32_t part, const Command& cmd, Args args);
  void part_done(Gather& g);
  void finish(Gather& g);
  void step(Gather& g);
  void settle(Client& client);

  Shard& home_;
  std::vector<Batch*> outbox_;              // Per destination; null when empty.
  std::vector<std::vector<Batch*>> spare_;  // Batches back from each destination, for reuse.
  bool flush_scheduled_ = false;
};

}  // namespace weft::kv
