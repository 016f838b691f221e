// The commands that run across loops in steps while their client waits: RENAME (take the
// source from its owner, put it at the destination's owner) and MSETNX (count the keys
// that exist on every owner, then set them all or none).

#include <algorithm>

#include "client.h"
#include "dispatch.h"
#include "errors.h"
#include "gather.h"
#include "hash.h"
#include "reply_reader.h"
#include "server.h"
#include "shard.h"

namespace weft::kv {

// --- commands in steps --------------------------------------------------------------------

void Router::rename(Client& client, const Command& cmd, Args args, resp::ReplyWriter& out) {
  // Step 0: take the source from its owner. A source here that is missing is answered at
  // once; every later step completes in a task, never inside this call.
  const uint32_t from = owner(args[1]);
  Record* taken = nullptr;
  if (from == home_.index()) {
    const size_t slot = home_.store().find(args[1]);
    if (slot == Store::npos) {
      out.error(err::kNoSuchKey);
      return;
    }
    taken = home_.store().take(slot);
  }
  auto* g = new Gather;
  g->client = &client;
  g->command = &cmd;
  g->protocol = client.protocol;
  g->stepped = true;
  g->nx = cmd.run == cmd_renamenx;
  g->names = {own(args[1]), own(args[2])};
  g->slot = client.reserve_slot();
  block(client);
  if (from == home_.index()) {
    g->record = taken;
    step(*g);  // Sends the record to the destination's owner, another shard.
  } else {
    const std::string_view key[] = {args[1]};
    send(from, Call::Kind::take, key, resp::Protocol::resp2).gather = g;
  }
}

void Router::block(Client& client) {
  client.blocked = true;
  if (Conn* conn = client.conn()) conn->pause_reading();
}

void Router::answer(Gather& g, std::string_view reply) {
  Client& client = *g.client;
  client.fill_slot(g.slot, reply);
  delete &g;
  // The client's next commands waited for this one.
  client.blocked = false;
  if (Conn* conn = client.conn(); conn != nullptr && !client.close_after_reply) {
    conn->resume_reading();
    home_.server().process(client);
  }
  settle(client);
}

void Router::msetnx(Client& client, const Command& cmd, Args args) {
  auto* g = new Gather;
  g->client = &client;
  g->command = &cmd;
  g->protocol = client.protocol;
  g->stepped = true;
  for (std::string_view a : args) g->names.push_back(own(a));
  g->slot = client.reserve_slot();
  block(client);
  g->replies.resize(home_.server().shard_count());
  g->merge = Merge::sum;
  // Step 0: count the keys that exist, on every owner.
  const size_t shards = home_.server().shard_count();
  std::vector<std::vector<std::string_view>> parts(shards);
  for (size_t i = 1; i < args.size(); i += 2) {
    auto& p = parts[owner(args[i])];
    if (p.empty()) p.push_back("exists");
    p.push_back(args[i]);
  }
  static const Command* exists = home_.server().commands().find("exists");
  g->waiting = 1;
  for (uint32_t s = 0; s < shards; ++s) {
    if (parts[s].empty()) continue;
    ++g->waiting;
    if (s == home_.index()) {
      run_part_here(*g, s, *exists, parts[s]);
      --g->waiting;
    } else {
      Call& call = send(s, Call::Kind::part, parts[s], resp::Protocol::resp2);
      call.command = exists;
      call.gather = g;
      call.part = s;
    }
  }
  part_done(*g);
}

// The next step of RENAME or MSETNX, once the previous one is done.
void Router::step(Gather& g) {
  ++g.step;
  auto reply = [&](auto&& write) {
    std::string bytes;
    {
      resp::ReplyWriter w(bytes, g.protocol);
      write(w);
    }
    answer(g, bytes);
  };
  if (g.command->run == cmd_msetnx) {
    if (g.step == 1) {
      int64_t existing = 0;
      for (const std::string& r : g.replies) {
        if (!r.empty()) existing += ReplyReader(r).next().number;
      }
      if (existing != 0) {
        reply([](resp::ReplyWriter& w) { w.integer(0); });
        return;
      }
      // Step 1: set every key on its owner.
      const size_t shards = home_.server().shard_count();
      std::vector<std::vector<std::string_view>> parts(shards);
      for (size_t i = 1; i + 1 < g.names.size(); i += 2) {
        auto& p = parts[owner(g.names[i])];
        if (p.empty()) p.push_back("mset");
        p.push_back(g.names[i]);
        p.push_back(g.names[i + 1]);
      }
      static const Command* mset = home_.server().commands().find("mset");
      for (std::string& r : g.replies) r.clear();
      g.waiting = 1;
      for (uint32_t s = 0; s < shards; ++s) {
        if (parts[s].empty()) continue;
        ++g.waiting;
        if (s == home_.index()) {
          run_part_here(g, s, *mset, parts[s]);
          --g.waiting;
        } else {
          Call& call = send(s, Call::Kind::part, parts[s], resp::Protocol::resp2);
          call.command = mset;
          call.gather = &g;
          call.part = s;
        }
      }
      part_done(g);
      return;
    }
    reply([](resp::ReplyWriter& w) { w.integer(1); });
    return;
  }
  // RENAME / RENAMENX: 1 = the source was taken, 2 = it was put, 3 = it was put back.
  if (g.step == 1) {
    if (g.record == nullptr) {
      reply([](resp::ReplyWriter& w) { w.error(err::kNoSuchKey); });
      return;
    }
    const uint32_t to = owner(g.names[1]);
    const std::string_view key[] = {g.names[1]};
    if (to == home_.index()) {
      Store& store = home_.store();
      const uint64_t h = store.hash(g.names[1]);
      const size_t slot = store.find(g.names[1], h);
      if (slot == Store::npos || !g.nx) {
        if (slot != Store::npos) store.erase(slot);
        store.insert(Record::renamed(g.record, g.names[1]), h);
        g.record = nullptr;
      }
      step(g);
    } else {
      Call& call = send(to, Call::Kind::put, key, resp::Protocol::resp2);
      call.gather = &g;
      call.record = g.record;
      call.nx = g.nx;
    }
    return;
  }
  if (g.step == 2 && g.record != nullptr) {
    // RENAMENX found the destination: the source goes back where it was.
    const uint32_t from = owner(g.names[0]);
    const std::string_view key[] = {g.names[0]};
    if (from == home_.index()) {
      Store& store = home_.store();
      const uint64_t h = store.hash(g.names[0]);
      const size_t slot = store.find(g.names[0], h);
      if (slot != Store::npos) store.erase(slot);
      store.insert(Record::renamed(g.record, g.names[0]), h);
      g.record = nullptr;
      step(g);
    } else {
      Call& call = send(from, Call::Kind::put, key, resp::Protocol::resp2);
      call.gather = &g;
      call.record = g.record;
    }
    return;
  }
  const bool moved = g.step == 2;
  reply([&](resp::ReplyWriter& w) {
    if (!g.nx) {
      w.ok();
    } else {
      w.integer(moved ? 1 : 0);
    }
  });
}

}  // namespace weft::kv
