#include "dispatch.h"

#include <algorithm>
#include <unordered_set>

#include "client.h"
#include "gather.h"
#include "errors.h"
#include "families.h"
#include "hash.h"
#include "reply_reader.h"
#include "server.h"
#include "set_object.h"
#include "shard.h"

namespace weft::kv {

namespace {

// SINTER/SUNION/SDIFF's part: for each key argument, its members (an array), a null array
// when it is missing, or WRONGTYPE.
void cmd_members_part(Ctx& c) {
  c.out.array(c.args.size() - 1);
  for (size_t i = 1; i < c.args.size(); ++i) {
    const size_t slot = c.store.find(c.args[i]);
    if (slot == Store::npos) {
      c.out.null_array();
      continue;
    }
    const Record* r = c.store.at(slot);
    if (r->type() != Type::set) {
      c.out.error(err::kWrongType);
      continue;
    }
    const auto* set = static_cast<const SetObject*>(r->object());
    c.out.array(set->size());
    set->for_each([&](std::string_view m) { c.out.bulk(m); });
  }
}

// CLIENT LIST's part: this shard's clients.
void client_info_lines(Ctx& c) {
  std::string text;
  c.shard.for_each_client([&](const Client& each) { client_info_line(each, text); });
  c.out.bulk(text);
}

constexpr Command kMembersPart{"members", -2, 0, Route::multi, 1, -1, 1, cmd_members_part, "", ""};
constexpr Command kClientListPart{"client", 1, 0, Route::all, 0, 0, 0, client_info_lines, "", ""};

}  // namespace

// --- Batch ------------------------------------------------------------------------------

void Batch::clear() {
  calls.clear();
  arg_bytes.clear();
  args.clear();
  replies.clear();
}

uint32_t Batch::add_args(Args a) {
  const auto first = static_cast<uint32_t>(args.size());
  for (std::string_view s : a) {
    args.emplace_back(arg_bytes.size(), s.size());
    arg_bytes.append(s);
  }
  return first;
}

Args Batch::args_of(const Call& c) {
  views.clear();
  for (uint32_t i = 0; i < c.argc; ++i) {
    const auto [offset, length] = args[c.first_arg + i];
    views.emplace_back(arg_bytes.data() + offset, length);
  }
  return views;
}

// --- Router -----------------------------------------------------------------------------

Router::Router(Shard& home) : home_(home) {}

Router::~Router() {
  for (Batch* b : outbox_) delete b;
  for (auto& list : spare_) {
    for (Batch* b : list) delete b;
  }
}

uint32_t Router::owner(std::string_view key) const {
  const size_t n = home_.server().shard_count();
  return shard_of(home_.store().hash(key), static_cast<uint32_t>(n));
}

void Router::run(Client& client, const Command& cmd, Args args, resp::ReplyWriter& out) {
  const size_t shards = home_.server().shard_count();
  if (shards > 1 && cmd.route != Route::local) {
    if (cmd.route == Route::key) {
      if (owner(args[1]) != home_.index()) {
        forward(client, cmd, args);
        return;
      }
    } else if (cmd.route == Route::multi) {
      multi(client, cmd, args, out);
      return;
    } else {
      all(client, cmd, args, out);
      return;
    }
  }
  if (cmd.flags & flag::kDenyOom) home_.make_room();
  Ctx ctx{home_, home_.store(), args, out, &client};
  cmd.run(ctx);
}

Call& Router::send(uint32_t to, Call::Kind kind, Args args, resp::Protocol protocol) {
  if (outbox_.empty()) {
    outbox_.resize(home_.server().shard_count(), nullptr);
    spare_.resize(home_.server().shard_count());
  }
  Batch*& b = outbox_[to];
  if (b == nullptr) {
    if (!spare_[to].empty()) {
      b = spare_[to].back();
      spare_[to].pop_back();
    } else {
      b = new Batch;
      b->from = home_.index();
      b->to = to;
    }
  }
  Call& call = b->calls.emplace_back();
  call.kind = kind;
  call.protocol = protocol;
  call.first_arg = b->add_args(args);
  call.argc = static_cast<uint32_t>(args.size());
  schedule_flush();
  return call;
}

void Router::schedule_flush() {
  if (flush_scheduled_) return;
  flush_scheduled_ = true;
  // A zero delay fires in this iteration's timer phase, after every read was handled.
  home_.loop().run_after(Duration::zero(), [this] { flush(); });
}

void Router::flush() {
  flush_scheduled_ = false;
  KvServer& server = home_.server();
  for (size_t to = 0; to < outbox_.size(); ++to) {
    Batch* b = outbox_[to];
    if (b == nullptr) continue;
    outbox_[to] = nullptr;
    Router& dest = server.shard(to).router();
    if (!dest.home_.loop().post([b, &dest] { dest.serve(b); })) delete b;  // Stopping.
  }
}

void Router::serve(Batch* b) {
  home_.refresh_clock();
  Store& store = home_.store();
  for (Call& call : b->calls) {
    const Args args = b->args_of(call);
    call.reply_begin = b->replies.size();
    switch (call.kind) {
      case Call::Kind::reply:
      case Call::Kind::part: {
        if (call.command->flags & flag::kDenyOom) home_.make_room();
        resp::ReplyWriter w(b->replies, call.protocol);
        Ctx ctx{home_, store, args, w, nullptr};
        call.command->run(ctx);
        break;
      }
      case Call::Kind::take: {
        const size_t slot = store.find(args[0]);
        call.record = slot == Store::npos ? nullptr : store.take(slot);
        break;
      }
      case Call::Kind::put: {
        const uint64_t h = store.hash(args[0]);
        const size_t slot = store.find(args[0], h);
        if (slot != Store::npos && call.nx) break;  // The record goes back.
        if (slot != Store::npos) store.erase(slot);
        store.insert(Record::renamed(call.record, args[0]), h);
        call.record = nullptr;
        break;
      }
    }
    call.reply_end = b->replies.size();
  }
  home_.publish();
  Router& origin = home_.server().shard(b->from).router();
  if (!origin.home_.loop().post([b, &origin] { origin.complete(b); })) delete b;
}

void Router::complete(Batch* b) {
  for (Call& call : b->calls) {
    switch (call.kind) {
      case Call::Kind::reply:
        call.client->fill_slot(call.slot, b->reply_of(call));
        settle(*call.client);
        break;
      case Call::Kind::part:
        call.gather->replies[call.part].assign(b->reply_of(call));
        part_done(*call.gather);
        break;
      case Call::Kind::take:
      case Call::Kind::put:
        call.gather->record = call.record;
        step(*call.gather);
        break;
    }
  }
  b->clear();
  spare_[b->to].push_back(b);
}

void Router::settle(Client& client) {
  if (client.conn() == nullptr && client.outstanding() == 0) delete &client;
}

void Router::forward(Client& client, const Command& cmd, Args args) {
  Call& call = send(owner(args[1]), Call::Kind::reply, args, client.protocol);
  call.command = &cmd;
  call.client = &client;
  call.slot = client.reserve_slot();
}

void Router::run_part_here(Gather& g, uint32_t part, const Command& cmd, Args args) {
  std::string& reply = g.replies[part];
  reply.clear();
  resp::ReplyWriter w(reply, resp::Protocol::resp2);
  Ctx ctx{home_, home_.store(), args, w, nullptr};
  cmd.run(ctx);
}

void Router::multi(Client& client, const Command& cmd, Args args, resp::ReplyWriter& out) {
  // Which shard owns each key; if one owns them all, the command runs there whole.
  const size_t last =
      cmd.last_key < 0 ? args.size() + static_cast<size_t>(cmd.last_key) : static_cast<size_t>(cmd.last_key);
  const auto step = static_cast<size_t>(cmd.key_step);
  const size_t shards = home_.server().shard_count();
  std::vector<uint32_t> owners;
  bool one_owner = true;
  for (size_t i = static_cast<size_t>(cmd.first_key); i <= last && i < args.size(); i += step) {
    owners.push_back(owner(args[i]));
    one_owner = one_owner && owners.back() == owners.front();
  }
  // MSET and MSETNX take key-value pairs: an odd count is refused before anything runs.
  if (step == 2 && args.size() % 2 == 0) {
    out.error(err::arity(cmd.name));
    return;
  }
  if (one_owner) {
    if (owners.empty() || owners.front() == home_.index()) {
      Ctx ctx{home_, home_.store(), args, out, &client};
      cmd.run(ctx);
    } else {
      Call& call = send(owners.front(), Call::Kind::reply, args, client.protocol);
      call.command = &cmd;
      call.client = &client;
      call.slot = client.reserve_slot();
    }
    return;
  }
  if (cmd.run == cmd_rename || cmd.run == cmd_renamenx) {
    rename(client, cmd, args, out);
    return;
  }
  if (cmd.run == cmd_msetnx) {
    msetnx(client, cmd, args);
    return;
  }
  auto* g = new Gather;
  g->client = &client;
  g->command = &cmd;
  g->protocol = client.protocol;
  g->replies.resize(shards);
  g->key_part = owners;
  const Command* part_command = &cmd;
  if (cmd.run == cmd_mget) {
    g->merge = Merge::mget;
  } else if (cmd.run == cmd_mset) {
    g->merge = Merge::ok;
  } else if (cmd.run == cmd_sinter || cmd.run == cmd_sunion || cmd.run == cmd_sdiff) {
    g->merge = Merge::members;
    g->set_op = cmd.run == cmd_sinter ? SetOp::inter : cmd.run == cmd_sunion ? SetOp::union_ : SetOp::diff;
    part_command = &kMembersPart;
  } else {
    g->merge = Merge::sum;  // DEL, UNLINK, EXISTS.
  }
  // Each shard's part: the command name, then its keys (with their values for MSET).
  std::vector<std::vector<std::string_view>> parts(shards);
  for (size_t k = 0; k < owners.size(); ++k) {
    auto& p = parts[owners[k]];
    if (p.empty()) p.push_back(args[0]);
    const size_t at = static_cast<size_t>(cmd.first_key) + k * step;
    for (size_t j = 0; j < step; ++j) p.push_back(args[at + j]);
  }
  g->slot = client.reserve_slot();
  g->waiting = 1;  // Held until every part is sent, so a part done here cannot finish early.
  for (uint32_t s = 0; s < shards; ++s) {
    if (parts[s].empty()) continue;
    ++g->waiting;
    if (s == home_.index()) {
      run_part_here(*g, s, *part_command, parts[s]);
      --g->waiting;
    } else {
      Call& call = send(s, Call::Kind::part, parts[s], resp::Protocol::resp2);
      call.command = part_command;
      call.gather = g;
      call.part = s;
    }
  }
  part_done(*g);
}

void Router::all(Client& client, const Command& cmd, Args args, resp::ReplyWriter& out) {
  const size_t shards = home_.server().shard_count();
  // SCAN goes to the shard its cursor names.
  if (cmd.run == cmd_scan) {
    const std::optional<uint64_t> cursor = parse_cursor(args[1]);
    const uint32_t to = cursor ? static_cast<uint32_t>((*cursor & 0xff) % shards) : home_.index();
    if (to == home_.index()) {
      Ctx ctx{home_, home_.store(), args, out, &client};
      cmd.run(ctx);
    } else {
      Call& call = send(to, Call::Kind::reply, args, client.protocol);
      call.command = &cmd;
      call.client = &client;
      call.slot = client.reserve_slot();
    }
    return;
  }
  auto* g = new Gather;
  g->client = &client;
  g->command = &cmd;
  g->protocol = client.protocol;
  g->replies.resize(shards);
  if (cmd.run == cmd_keys) {
    g->merge = Merge::keys;
  } else if (cmd.run == cmd_randomkey) {
    g->merge = Merge::random_key;
  } else if (cmd.run == cmd_flushdb) {
    g->merge = Merge::ok;
  } else {
    g->merge = Merge::sum;  // DBSIZE, PUBLISH.
  }
  // This shard's part first: a bad argument is answered before anything is sent.
  run_part_here(*g, home_.index(), cmd, args);
  if (!g->replies[home_.index()].empty() && g->replies[home_.index()][0] == '-') {
    out.raw(g->replies[home_.index()]);
    delete g;
    return;
  }
  g->slot = client.reserve_slot();
  g->waiting = 1;
  for (uint32_t s = 0; s < shards; ++s) {
    if (s == home_.index()) continue;
    ++g->waiting;
    Call& call = send(s, Call::Kind::part, args, resp::Protocol::resp2);
    call.command = &cmd;
    call.gather = g;
    call.part = s;
  }
  part_done(*g);
}

void Router::client_list(Client& client) {
  const size_t shards = home_.server().shard_count();
  auto* g = new Gather;
  g->client = &client;
  g->command = &kClientListPart;
  g->protocol = client.protocol;
  g->merge = Merge::text;
  g->replies.resize(shards);
  const std::string_view name[] = {"client"};
  run_part_here(*g, home_.index(), kClientListPart, name);
  g->slot = client.reserve_slot();
  g->waiting = 1;
  for (uint32_t s = 0; s < shards; ++s) {
    if (s == home_.index()) continue;
    ++g->waiting;
    Call& call = send(s, Call::Kind::part, name, resp::Protocol::resp2);
    call.command = &kClientListPart;
    call.gather = g;
    call.part = s;
  }
  part_done(*g);
}

void Router::part_done(Gather& g) {
  if (--g.waiting != 0) return;
  if (g.stepped) {
    step(g);
  } else {
    finish(g);
  }
}

void Router::finish(Gather& g) {
  std::string reply;
  {
    resp::ReplyWriter w(reply, g.protocol);
    // An error in any part is the reply.
    for (const std::string& r : g.replies) {
      if (!r.empty() && r[0] == '-' && g.merge != Merge::members) {
        w.raw(r);
        goto done;
      }
    }
    switch (g.merge) {
      case Merge::sum: {
        int64_t total = 0;
        for (const std::string& r : g.replies) {
          if (!r.empty()) total += ReplyReader(r).next().number;
        }
        w.integer(total);
        break;
      }
      case Merge::ok: w.ok(); break;
      case Merge::mget: {
        std::vector<ReplyReader> readers;
        for (const std::string& r : g.replies) {
          readers.emplace_back(r);
          if (!r.empty()) readers.back().next();  // The array's header.
        }
        w.array(g.key_part.size());
        for (uint32_t part : g.key_part) {
          const ReplyReader::Item item = readers[part].next();
          if (item.type == ReplyReader::Type::bulk) {
            w.bulk(item.text);
          } else {
            w.null();
          }
        }
        break;
      }
      case Merge::keys: {
        int64_t total = 0;
        for (const std::string& r : g.replies) total += ReplyReader(r).next().number;
        w.array(static_cast<size_t>(total));
        for (const std::string& r : g.replies) {
          ReplyReader reader(r);
          reader.next();
          for (ReplyReader::Item item = reader.next(); item.type == ReplyReader::Type::bulk; item = reader.next()) {
            w.bulk(item.text);
          }
        }
        break;
      }
      case Merge::random_key: {
        std::vector<std::string_view> found;
        for (const std::string& r : g.replies) {
          const ReplyReader::Item item = ReplyReader(r).next();
          if (item.type == ReplyReader::Type::bulk) found.push_back(item.text);
        }
        if (found.empty()) {
          w.null();
        } else {
          w.bulk(found[home_.random() % found.size()]);
        }
        break;
      }
      case Merge::text: {
        std::string text;
        for (const std::string& r : g.replies) text.append(ReplyReader(r).next().text);
        w.verbatim(text);
        break;
      }
      case Merge::members: {
        // Each key's members (null for a missing key), read in argument order.
        std::vector<ReplyReader> readers;
        for (const std::string& r : g.replies) {
          readers.emplace_back(r);
          if (!r.empty()) readers.back().next();
        }
        std::vector<std::vector<std::string_view>> sets;
        std::vector<bool> missing;
        bool wrong = false;
        for (uint32_t part : g.key_part) {
          const ReplyReader::Item head = readers[part].next();
          sets.emplace_back();
          missing.push_back(head.type != ReplyReader::Type::array);
          wrong = wrong || head.type == ReplyReader::Type::error;
          for (int64_t i = 0; head.type == ReplyReader::Type::array && i < head.number; ++i) {
            sets.back().push_back(readers[part].next().text);
          }
        }
        if (wrong) {
          w.error(err::kWrongType);
          break;
        }
        std::vector<std::string_view> out;
        if (g.set_op == SetOp::inter) {
          bool any_missing = false;
          for (bool m : missing) any_missing = any_missing || m;
          if (!any_missing) {
            std::vector<std::unordered_set<std::string_view>> others;
            for (size_t i = 1; i < sets.size(); ++i) others.emplace_back(sets[i].begin(), sets[i].end());
            for (std::string_view m : sets[0]) {
              bool everywhere = true;
              for (const auto& o : others) everywhere = everywhere && o.count(m) != 0;
              if (everywhere) out.push_back(m);
            }
          }
        } else if (g.set_op == SetOp::union_) {
          std::unordered_set<std::string_view> seen;
          for (const auto& s : sets) {
            for (std::string_view m : s) {
              if (seen.insert(m).second) out.push_back(m);
            }
          }
        } else {
          std::unordered_set<std::string_view> others;
          for (size_t i = 1; i < sets.size(); ++i) others.insert(sets[i].begin(), sets[i].end());
          for (std::string_view m : sets[0]) {
            if (others.count(m) == 0) out.push_back(m);
          }
        }
        w.set(out.size());
        for (std::string_view m : out) w.bulk(m);
        break;
      }
    }
  done:;
  }
  Client& client = *g.client;
  client.fill_slot(g.slot, reply);
  delete &g;
  settle(client);
}

}  // namespace weft::kv
