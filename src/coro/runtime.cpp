#include "coro/runtime.h"

#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/guarded_call.h"
#include "net/signal_watcher.h"
#include "weft/core/event_loop.h"
#include "weft/core/log.h"

namespace weft::detail {
namespace {

CoroServer::Serve checked(CoroServer::Serve serve) {
  if (!serve) throw std::invalid_argument("CoroServer: serve must not be empty");
  return serve;
}

// From the catch block of a connection's root.
void log_connection_exception(StreamState& state) {
  Conn* conn = state.conn();
  std::string label = "coroutine serving ";
  label += conn != nullptr ? conn->remote_address().to_string() : std::string("a closed connection");
  log_current_exception(label.c_str(), "closing the connection");
  if (conn != nullptr) conn->close(make_error_code(Errc::handler_error));
}

// Holds the root's reference to the stream, for the log above; releases it however the
// root ends (even destroyed by force).
struct StateGuard {
  StreamState* state;
  ~StateGuard() {
    state->set_owner(nullptr);
    state->unref();
  }
};

Root serve_root(const CoroServer::Serve* serve, StreamState* state) {
  StateGuard guard{state};
  // Held here, not as a temporary, so that a coroutine that threw still holds its Stream
  // (its frame waits at final suspend) while the catch closes the connection with an error.
  Task<> task;
  try {
    state->ref();  // The Stream's own reference.
    task = (*serve)(Stream(state));
    co_await task;
  } catch (...) {
    log_connection_exception(*state);
  }
}

}  // namespace

// --- machinery declared in the public headers ------------------------------------------

void CoroContext::cancel() {
  cancelled = true;
  if (Waiter* w = pending) w->cancel(make_error_code(Errc::closed));
}

void root_finished(CoroContext* ctx) noexcept {
  if (ctx->runtime != nullptr) ctx->runtime->root_ended(*ctx);
}

void log_root_exception(const char* where) noexcept {
  log_current_exception(where);
}

Root run_task(Task<> task) {
  try {
    co_await task;
  } catch (...) {
    log_root_exception("spawned coroutine");
  }
}

WorkerPool* runtime_workers(CoroRuntime* runtime) {
  return &runtime->workers();
}

void resume_after_offload(CoroContext* ctx, std::coroutine_handle<> h) {
  EventLoop::Task task = [ctx, h] {
    --ctx->offloads;
    h.resume();
  };
  if (!ctx->loop->post(std::move(task))) {
    WEFT_LOG(LogLevel::error, "an offload finished after its loop stopped; its coroutine is abandoned");
  }
}

// --- CoroHandler -----------------------------------------------------------------------

void CoroHandler::on_open(Conn& conn) {
  // A dialed connection comes with its stream (CoroRuntime::adopt); any other gets a
  // coroutine, whatever the application put in its context slot.
  CoroRuntime::LoopRoots& r = runtime_.roots_of(&conn.loop());
  if (StreamState* dialed = std::exchange(r.adopting, nullptr)) {
    dialed->attach(conn);
    return;
  }
  runtime_.serve_connection(conn);
}

void CoroHandler::on_close(Conn& conn, CloseReason reason, std::error_code error) {
  // The connection destroys the attachment, and with it its reference, right after this.
  if (auto* s = StreamAttachment::of(conn)) s->on_closed(reason, error);
}

void CoroHandler::on_shutdown(Server&) {
  runtime_.cancel_stragglers();
}

// --- CoroRuntime -----------------------------------------------------------------------

namespace {

// The Server stops without watching signals: the runtime watches them, so that a signal
// drains the coroutines before the Server's own stop begins. Connections stay open after
// the peer's end of file: a coroutine reads every byte before it, then Errc::end_of_input,
// and its connection closes when it returns or closes the stream (Go's semantics).
ServerOptions for_coroutines(ServerOptions options) {
  options.stop_signals.clear();
  options.allow_half_open = true;
  return options;
}

}  // namespace

CoroRuntime::CoroRuntime(CoroServer::Serve serve, ServerOptions options, const CoroOptions& coro)
    : serve_(checked(std::move(serve))),
      handler_(*this),
      workers_(coro.workers),
      server_(handler_, for_coroutines(options)),
      stop_signals_(std::move(options.stop_signals)) {
  for (size_t i = 0; i < server_.loop_count(); ++i) loops_.emplace_back(server_.loop(i));
}

CoroRuntime::~CoroRuntime() {
  // Before any member goes: the stop drains coroutines through loops_ and handler_.
  stop();
  server_.wait();
  signals_.reset();
  std::vector<std::pair<Root::Handle, size_t>> early;
  {
    std::lock_guard lock(mutex_);
    early.swap(early_);
  }
  for (auto& [h, loop] : early) h.destroy();  // Never started.
  if (size_t left = live(); left > 0) {
    WEFT_LOG(LogLevel::error, "CoroServer destroyed with %zu coroutines still alive; they are leaked", left);
  }
}

CoroRuntime::LoopRoots& CoroRuntime::roots_of(EventLoop* loop) {
  for (LoopRoots& r : loops_) {
    if (r.loop == loop) return r;
  }
  throw std::logic_error("CoroServer: a coroutine runs on a loop that is not the server's");
}

void CoroRuntime::link(CoroContext& ctx) {
  roots_of(ctx.loop).roots.push_back(ctx);
}

void CoroRuntime::root_ended(CoroContext& ctx) noexcept {
  LoopRoots& r = roots_of(ctx.loop);
  r.roots.remove(ctx);
  live_.fetch_sub(1, std::memory_order_relaxed);
  if (r.draining && r.roots.empty()) check_drained(r);
}

void CoroRuntime::serve_connection(Conn& conn) {
  if (stopping_.load(std::memory_order_relaxed)) {
    conn.close();  // Arrived during the stop: no coroutine starts for it.
    return;
  }
  auto* state = new StreamState(options());
  state->attach(conn);
  Root root = serve_root(&serve_, state);
  CoroContext& ctx = root.context();
  ctx.loop = &conn.loop();
  ctx.runtime = this;
  live_.fetch_add(1, std::memory_order_relaxed);
  state->set_owner(&ctx);
  link(ctx);
  root.release().resume();  // Runs until its first suspension, inside on_open.
}

dns::Resolver& CoroRuntime::resolver(EventLoop& loop) {
  LoopRoots& r = roots_of(&loop);
  if (r.resolver == nullptr) r.resolver = dns::default_resolver()(loop);
  return *r.resolver;
}

bool CoroRuntime::adopt(int fd, EventLoop& loop, StreamState& state) {
  LoopRoots& r = roots_of(&loop);
  r.adopting = &state;
  // Server::adopt opens the connection, and so calls on_open, before it returns.
  bool adopted = server_.adopt(fd, nullptr);
  r.adopting = nullptr;
  return adopted && state.conn() != nullptr;
}

bool CoroRuntime::start_root(Root root, size_t loop) {
  if (loop != CoroServer::kAnyLoop && loop >= loops_.size()) {
    throw std::out_of_range("CoroServer::spawn: no loop " + std::to_string(loop));
  }
  size_t i = loop != CoroServer::kAnyLoop ? loop : next_loop_.fetch_add(1, std::memory_order_relaxed) % loops_.size();
  CoroContext& ctx = root.context();
  ctx.loop = loops_[i].loop;
  ctx.runtime = this;
  live_.fetch_add(1, std::memory_order_relaxed);
  Root::Handle h = root.release();  // From here its destruction is accounted by root_ended.
  std::unique_lock lock(mutex_);
  if (stopping_.load()) {
    lock.unlock();
    h.destroy();
    return false;
  }
  if (!started_) {
    early_.emplace_back(h, i);
    return true;
  }
  lock.unlock();
  post_root(h, *loops_[i].loop);
  return true;
}

void CoroRuntime::post_root(Root::Handle h, EventLoop& loop) {
  EventLoop::Task task = [this, h] {
    CoroContext& ctx = h.promise();
    link(ctx);
    // Started after the stop began: it runs, but everything it awaits reports closed.
    if (stopping_.load()) ctx.cancelled = true;
    h.resume();
  };
  if (!loop.post(std::move(task))) h.destroy();
}

void CoroRuntime::start() {
  std::vector<std::pair<Root::Handle, size_t>> early;
  {
    std::lock_guard lock(mutex_);
    if (stopping_.load() || started_) return;
    started_ = true;
    early.swap(early_);
  }
  if (!stop_signals_.empty()) {
    // Blocks the signals in this thread before the loops' threads exist, so they inherit
    // the mask; loop 0 reads them, before it runs, so it may be set up from here.
    signals_ = std::make_unique<SignalWatcher>(*loops_[0].loop, stop_signals_, [this](int signo) {
      WEFT_LOG(LogLevel::info, "received %s, stopping", ::strsignal(signo));
      stop();
    });
    signals_->start();
  }
  server_.start();
  for (auto& [h, i] : early) post_root(h, *loops_[i].loop);
}

void CoroRuntime::stop() {
  bool started;
  {
    std::lock_guard lock(mutex_);
    if (stopping_.exchange(true)) return;
    started = started_;
  }
  if (!started) {
    server_.stop();
    return;
  }
  for (LoopRoots& r : loops_) {
    LoopRoots* roots = &r;
    if (!r.loop->post([this, roots] { begin_drain(*roots); })) loop_drained();
  }
}

void CoroRuntime::begin_drain(LoopRoots& r) {
  r.draining = true;
  cancel_all(r);
  if (!r.roots.empty()) {
    r.deadline = r.loop->run_after(options().shutdown_timeout, [this, &r] { drain_deadline(r); });
  }
  check_drained(r);
}

void CoroRuntime::drain_deadline(LoopRoots& r) {
  r.deadline = {};
  if (r.drained) return;
  WEFT_LOG(LogLevel::warn, "%zu coroutines still running after shutdown_timeout; destroying them", r.roots.size());
  destroy_all(r);
  if (r.roots.empty()) return;  // root_ended reported the loop drained.
  // The rest are in an offload: their function may be using the coroutine's locals.
  r.deadline = r.loop->run_after(std::chrono::seconds(1), [this, &r] {
    r.deadline = {};
    if (r.drained) return;
    WEFT_LOG(LogLevel::error, "%zu coroutines could not be stopped (an offload still running?); abandoning them",
             r.roots.size());
    r.drained = true;
    loop_drained();
  });
}

void CoroRuntime::check_drained(LoopRoots& r) {
  if (!r.draining || r.drained || !r.roots.empty()) return;
  r.drained = true;
  if (r.deadline) {
    r.loop->cancel(r.deadline);
    r.deadline = {};
  }
  loop_drained();
}

void CoroRuntime::loop_drained() {
  if (drained_loops_.fetch_add(1, std::memory_order_acq_rel) + 1 == loops_.size()) server_.stop();
}

void CoroRuntime::cancel_stragglers() {
  if (live() == 0) return;
  for (LoopRoots& r : loops_) {
    LoopRoots* roots = &r;
    r.loop->post([this, roots] {
      cancel_all(*roots);
      destroy_all(*roots);
    });
  }
}

void CoroRuntime::cancel_all(LoopRoots& r) {
  std::vector<CoroContext*> all;
  for (CoroContext* c = r.roots.front(); c != nullptr; c = RootList::next(*c)) all.push_back(c);
  // Resuming one tree never frees another, so the snapshot stays valid.
  for (CoroContext* c : all) c->cancel();
}

void CoroRuntime::destroy_all(LoopRoots& r) {
  std::vector<CoroContext*> all;
  for (CoroContext* c = r.roots.front(); c != nullptr; c = RootList::next(*c)) all.push_back(c);
  for (CoroContext* c : all) {
    if (c->offloads == 0) c->root.destroy();
  }
}

}  // namespace weft::detail

// --- CoroServer --------------------------------------------------------------------------

namespace weft {

CoroServer::CoroServer(Serve serve, ServerOptions options, CoroOptions coro)
    : runtime_(std::make_unique<detail::CoroRuntime>(std::move(serve), std::move(options), coro)) {}

CoroServer::~CoroServer() = default;

CoroServer& CoroServer::listen(std::string_view url) {
  runtime_->server().listen(url);
  return *this;
}

void CoroServer::start() {
  runtime_->start();
}

void CoroServer::run() {
  start();
  wait();
}

void CoroServer::wait() {
  runtime_->server().wait();
}
void CoroServer::stop() {
  runtime_->stop();
}

const Address& CoroServer::address(size_t i) const {
  return runtime_->server().address(i);
}
size_t CoroServer::loop_count() const {
  return runtime_->server().loop_count();
}
Server& CoroServer::server() {
  return runtime_->server();
}
WorkerPool& CoroServer::workers() {
  return runtime_->workers();
}
size_t CoroServer::coroutine_count() const {
  return runtime_->live();
}

bool CoroServer::start_root(detail::Root root, size_t loop) {
  return runtime_->start_root(std::move(root), loop);
}

}  // namespace weft
