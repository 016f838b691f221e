#include "net/client_core.h"

#include <stdexcept>
#include <string>
#include <thread>

#include "weft/core/error.h"
#include "weft/net/server.h"

namespace weft::detail {
namespace {

ClientOptions validated(ClientOptions o, bool own_loops) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("ClientOptions: " + what); };
  if (own_loops && o.loops == 0) o.loops = std::max(1u, std::thread::hardware_concurrency());
  if (o.loops > 1024) fail("loops must be at most 1024");
  if (o.connect_timeout < Duration::zero()) fail("connect_timeout must not be negative");
  if (o.low_water_mark > o.high_water_mark) fail("low_water_mark must not exceed high_water_mark");
  if (o.max_outbound != 0 && o.max_outbound < o.high_water_mark) {
    fail("max_outbound must be at least high_water_mark (or 0 for no limit)");
  }
  if (o.max_inbound == 0 || o.max_inbound > (size_t{2} << 30)) fail("max_inbound must be from 1 byte to 2 GiB");
  if (o.idle_timeout < Duration::zero()) fail("idle_timeout must not be negative");
  if (o.heartbeat.interval < Duration::zero()) fail("heartbeat.interval must not be negative");
  if (o.heartbeat.misses < 1 || o.heartbeat.misses > 15) fail("heartbeat.misses must be from 1 to 15");
  if (o.linger_timeout < Duration::zero()) fail("linger_timeout must not be negative");
  if (o.shutdown_timeout < Duration::zero()) fail("shutdown_timeout must not be negative");
  if (o.receive_buffer < 0 || o.send_buffer < 0) fail("socket buffer sizes must not be negative");
  if (o.loop.read_buffer_size < 1024 || o.loop.read_buffer_size > (size_t{1} << 30)) {
    fail("loop.read_buffer_size must be between 1 KiB and 1 GiB");
  }
  if (!o.local_address.empty()) {
    Address a;
    try {
      a = Address::parse(o.local_address);
    } catch (const std::invalid_argument& e) {
      fail(std::string("local_address: ") + e.what());
    }
    if (a.is_unix()) fail("local_address must be a tcp:// address");
  }
  return o;
}

// The connection fields as the loop contexts (shared with servers) read them.
ServerOptions connection_options(const ClientOptions& c) {
  ServerOptions s;
  s.loops = c.loops;
  s.tcp_nodelay = c.tcp_nodelay;
  s.keep_alive = c.keep_alive;
  s.receive_buffer = c.receive_buffer;
  s.send_buffer = c.send_buffer;
  s.idle_timeout = c.idle_timeout;
  s.heartbeat = c.heartbeat;
  s.high_water_mark = c.high_water_mark;
  s.low_water_mark = c.low_water_mark;
  s.max_outbound = c.max_outbound;
  s.pause_on_high_water = c.pause_on_high_water;
  s.max_inbound = c.max_inbound;
  s.max_buffered = 0;  // A server-wide cap is the server's; a client's connections have max_outbound.
  s.allow_half_open = c.allow_half_open;
  s.linger_timeout = c.linger_timeout;
  s.shutdown_timeout = c.shutdown_timeout;
  s.loop = c.loop;
  return s;
}

void cancel_if_connecting(Conn& conn) {
  if (conn.connecting()) conn.close();
}

}  // namespace

ClientCore::ClientCore(Handler& handler, ClientOptions options)
    : options_(validated(std::move(options), true)), conn_options_(connection_options(options_)), handler_(handler) {
  own_ = std::make_unique<LoopGroup>(options_.loops, options_.loop, "weft-client");
  std::vector<EventLoop*> loops;
  for (size_t i = 0; i < own_->size(); ++i) loops.push_back(&own_->loop(i));
  build(std::move(loops));
}

ClientCore::ClientCore(Server& server, Handler& handler, ClientOptions options)
    : options_(validated(std::move(options), false)), conn_options_(connection_options(options_)), handler_(handler) {
  server_ = server.core_.get();
  std::vector<EventLoop*> loops;
  for (size_t i = 0; i < server.loop_count(); ++i) loops.push_back(&server.loop(i));
  build(std::move(loops));
  server_->add_participant(this);
}

void ClientCore::build(std::vector<EventLoop*> loops) {
  Address local;
  if (!options_.local_address.empty()) local = Address::parse(options_.local_address);
  for (size_t i = 0; i < loops.size(); ++i) {
    LoopContext::Hooks hooks;
    hooks.drained = [this] { loop_drained(); };
    auto ctx = std::make_unique<LoopContext>(*loops[i], i, handler_, conn_options_, std::move(hooks));
    auto dialer = std::make_unique<Dialer>(*ctx, options_, local);
    ctx->dialer = dialer.get();
    LoopContext* c = ctx.get();
    // Set-up runs on the loop (first thing when it starts, if it is not running yet).
    loops[i]->post([c, alive = alive_] {
      if (*alive) c->start_idle_sweep();
    });
    contexts_.push_back(std::move(ctx));
    dialers_.push_back(std::move(dialer));
  }
}

ClientCore::~ClientCore() {
  stop();
  wait();
  teardown();
  if (server_ != nullptr) server_->remove_participant(this);
}

void ClientCore::start() {
  std::lock_guard lock(mutex_);
  if (started_) return;
  started_ = true;
  if (own_) own_->start();
}

void ClientCore::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  for (auto& c : contexts_) {
    LoopContext* ctx = c.get();
    // A loop that has finished (its server stopped) has no connections left to stop.
    bool posted = ctx->loop.post([ctx, alive = alive_] {
      if (*alive) ctx->begin_shutdown();
    });
    if (!posted) loop_drained();
  }
}

void ClientCore::begin_stop(std::function<void()> done) {
  bool now;
  {
    std::lock_guard lock(mutex_);
    server_done_ = std::move(done);
    now = stopped_;
  }
  if (now) {
    server_done_();
    return;
  }
  stop();
}

void ClientCore::loop_drained() {
  std::function<void()> done;
  {
    std::lock_guard lock(mutex_);
    if (++drained_ != contexts_.size()) return;
    stopped_ = true;
    done = server_done_;
  }
  stopped_cv_.notify_all();
  if (done) done();
}

void ClientCore::wait() {
  bool never_started = false;
  {
    std::lock_guard lock(mutex_);
    // Dials queued on loops that never ran end only once the loops run.
    if (own_ && !started_) {
      started_ = true;
      never_started = true;
    }
  }
  if (never_started) own_->start();
  std::unique_lock lock(mutex_);
  if (server_ != nullptr && !server_->started()) return;  // Its loops never ran: nothing to wait for.
  stopped_cv_.wait(lock, [this] { return stopped_; });
  lock.unlock();
  if (own_) own_->stop();
}

// The contexts are destroyed on their own loops if those still run (a server's), so that
// nothing of theirs is touched from two threads; tasks still queued for them then find
// them gone.
void ClientCore::teardown() {
  if (torn_down_) return;
  torn_down_ = true;
  bool running = server_ != nullptr && server_->started();
  if (!running) *alive_ = false;
  for (size_t i = 0; i < contexts_.size(); ++i) {
    std::unique_ptr<LoopContext> ctx = std::move(contexts_[i]);
    std::unique_ptr<Dialer> dialer = std::move(dialers_[i]);
    auto gone = std::make_shared<std::pair<std::mutex, std::condition_variable>>();
    auto flag = std::make_shared<bool>(false);
    EventLoop& loop = ctx->loop;
    auto destroy = [ctx = ctx.release(), dialer = dialer.release(), gone, flag, alive = alive_] {
      *alive = false;
      delete dialer;
      delete ctx;
      std::lock_guard lock(gone->first);
      *flag = true;
      gone->second.notify_all();
    };
    if (running && !loop.in_loop_thread() && loop.post(destroy)) {
      std::unique_lock lock(gone->first);
      gone->second.wait(lock, [&] { return *flag; });
    } else {
      destroy();
    }
  }
}

size_t ClientCore::connection_count() const {
  size_t n = 0;
  for (auto& c : contexts_) {
    if (c) n += c->connections.load(std::memory_order_relaxed);
  }
  return n;
}

size_t ClientCore::calling_loop() const {
  for (size_t i = 0; i < contexts_.size(); ++i) {
    if (contexts_[i]->loop.in_loop_thread()) return i;
  }
  return static_cast<size_t>(-1);
}

DialHandle ClientCore::dial(std::string_view url, Dialed done, void* context, size_t loop) {
  DialTarget target = parse_dial_target(url);
  size_t i = loop != Client::kAnyLoop ? loop % contexts_.size() : calling_loop();
  if (i == static_cast<size_t>(-1)) i = next_loop_.fetch_add(1, std::memory_order_relaxed) % contexts_.size();
  DialHandle handle;
  Dialer* dialer = dialers_[i].get();
  EventLoop& target_loop = contexts_[i]->loop;
  if (target_loop.in_loop_thread()) {
    handle.conn_ = dialer->start(std::move(target), std::move(done), context, nullptr);
    return handle;
  }
  auto token = std::make_shared<DialToken>();
  handle.token_ = token;
  EventLoop::Task task = [dialer, target = std::move(target), done, context, token, alive = alive_]() mutable {
    if (*alive) dialer->start(std::move(target), std::move(done), context, token);
  };
  if (!target_loop.post(std::move(task))) {
    token->ended = true;
    if (done) done(nullptr, make_error_code(Errc::shutdown));
  }
  return handle;
}

}  // namespace weft::detail

namespace weft {

void DialHandle::cancel() const {
  ConnHandle conn = conn_;
  if (token_ != nullptr) {
    std::lock_guard lock(token_->mutex);
    if (token_->ended) return;
    token_->cancelled = true;
    conn = token_->conn;
  }
  if (!conn.empty()) conn.post([](Conn& c) { detail::cancel_if_connecting(c); });
}

Client::Client(Handler& handler, ClientOptions options)
    : core_(std::make_unique<detail::ClientCore>(handler, std::move(options))) {}

Client::Client(Server& server, Handler& handler, ClientOptions options)
    : core_(std::make_unique<detail::ClientCore>(server, handler, std::move(options))) {}

Client::~Client() = default;

void Client::start() {
  core_->start();
}
void Client::stop() {
  core_->stop();
}
void Client::wait() {
  core_->wait();
}

DialHandle Client::dial(std::string_view url, Dialed done, void* context, size_t loop) {
  return core_->dial(url, std::move(done), context, loop);
}

size_t Client::loop_count() const {
  return core_->loop_count();
}
EventLoop& Client::loop(size_t i) {
  return core_->loop(i);
}
size_t Client::connection_count() const {
  return core_->connection_count();
}
const ConnStats& Client::conn_stats(size_t i) const {
  return core_->conn_stats(i);
}
const ClientOptions& Client::options() const {
  return core_->options();
}

}  // namespace weft
