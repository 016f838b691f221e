#include "net/server_core.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

#include "core/socket.h"
#include "net/memory_governor.h"
#include "net/signal_watcher.h"
#include "weft/core/log.h"

namespace weft::detail {
namespace {

}  // namespace
}  // namespace weft::detail

namespace weft {

size_t default_max_buffered() {
  long pages = ::sysconf(_SC_PHYS_PAGES);
  long page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return size_t{1} << 30;
  return static_cast<size_t>(pages) * static_cast<size_t>(page) / 8;
}

}  // namespace weft

namespace weft::detail {
namespace {

ServerOptions validated(ServerOptions o) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("ServerOptions: " + what); };
  if (o.loops == 0) o.loops = std::max(1u, std::thread::hardware_concurrency());
  if (o.loops > 1024) fail("loops must be at most 1024");
  if (o.backlog <= 0) fail("backlog must be positive");
  if (o.low_water_mark > o.high_water_mark) fail("low_water_mark must not exceed high_water_mark");
  if (o.max_outbound != 0 && o.max_outbound < o.high_water_mark) {
    fail("max_outbound must be at least high_water_mark (or 0 for no limit)");
  }
  if (o.max_inbound == 0) fail("max_inbound must be positive");
  if (o.max_inbound > (size_t{2} << 30)) fail("max_inbound must be at most 2 GiB");
  if (o.linger_timeout < Duration::zero()) fail("linger_timeout must not be negative");
  if (o.idle_timeout < Duration::zero()) fail("idle_timeout must not be negative");
  if (o.heartbeat.interval < Duration::zero()) fail("heartbeat.interval must not be negative");
  if (o.heartbeat.misses < 1 || o.heartbeat.misses > 15) fail("heartbeat.misses must be from 1 to 15");
  if (o.shutdown_timeout < Duration::zero()) fail("shutdown_timeout must not be negative");
  if (o.handshake_timeout < Duration::zero()) fail("handshake_timeout must not be negative");
  if (o.receive_buffer < 0 || o.send_buffer < 0) fail("socket buffer sizes must not be negative");
  if (o.loop.read_buffer_size < 1024 || o.loop.read_buffer_size > (size_t{1} << 30)) {
    fail("loop.read_buffer_size must be between 1 KiB and 1 GiB");
  }
  return o;
}

}  // namespace

ServerCore::ServerCore(Server& s, Handler& h, ServerOptions o)
    : server(s),
      handler(h),
      options(validated(std::move(o))),
      main_loop(options.loop),
      io(options.loops, options.loop) {
  balancer_ = options.load_balancer ? options.load_balancer : make_load_balancer(options.load_balancing);
  for (size_t i = 0; i < io.size(); ++i) {
    LoopContext::Hooks hooks;
    hooks.drained = [this] { loop_drained(); };
    hooks.close_listeners = [this, i] {
      for (auto& l : listeners) {
        if (l->owner() == contexts[i].get()) l->close();
      }
    };
    contexts.push_back(std::make_unique<LoopContext>(io.loop(i), i, handler, options, std::move(hooks)));
  }
  loads_.resize(io.size());
  if (options.max_buffered != 0) {
    std::vector<LoopContext*> loops;
    for (auto& c : contexts) loops.push_back(c.get());
    governor_ = std::make_unique<MemoryGovernor>(main_loop, std::move(loops), options.max_buffered);
  }
}

ServerCore::~ServerCore() {
  stop();
  wait();
}

void ServerCore::listen(std::string_view url, std::shared_ptr<TransportFactory> transport) {
  if (started_) throw std::logic_error("Server::listen must be called before start()");
  Address address = Address::parse(url);
  if (address.is_datagram()) throw std::invalid_argument("Server::listen: " + std::string(url) + " is a datagram address (use UdpServer)");
  ListenOptions lo{options.backlog, options.reuse_port};
  size_t count = options.reuse_port && !address.is_unix() ? io.size() : 1;
  Address bound;
  for (size_t i = 0; i < count; ++i) {
    std::error_code ec;
    // With reuse_port and port 0, the first socket picks the port and the rest share it.
    int fd = listen_socket(i == 0 ? address : bound, lo, ec);
    if (fd < 0) throw std::system_error(ec, "listen " + std::string(url));
    if (i == 0) bound = local_address(fd);
    LoopContext* own = count > 1 ? contexts[i].get() : nullptr;
    EventLoop& loop = own != nullptr ? own->loop : main_loop;
    auto listener = std::make_unique<Listener>(
        loop, fd, bound,
        [this, factory = transport.get()](int afd, const Address& remote, LoopContext* target) {
          dispatch(afd, remote, target, factory);
        },
        own);
    listener->set_owns_path(i == 0);
    listeners.push_back(std::move(listener));
  }
  addresses.push_back(bound);
  if (transport) transports.push_back(std::move(transport));
}

void ServerCore::listen_fd(int fd, std::shared_ptr<TransportFactory> transport) {
  if (started_) throw std::logic_error("Server::listen_fd must be called before start()");
  int accepting = 0;
  socklen_t len = sizeof accepting;
  if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) != 0 || accepting == 0) {
    throw std::invalid_argument("Server::listen_fd: descriptor " + std::to_string(fd) + " is not a listening socket");
  }
  // O_NONBLOCK lives in the open file description, which every process holding the socket
  // shares; they all accept without blocking, so setting it again changes nothing for them.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  Address bound = local_address(fd);
  auto accepted = [this, factory = transport.get()](int afd, const Address& remote, LoopContext* target) {
    dispatch(afd, remote, target, factory);
  };
  listeners.push_back(std::make_unique<Listener>(main_loop, fd, bound, accepted, nullptr));
  addresses.push_back(bound);
  if (transport) transports.push_back(std::move(transport));
}

void ServerCore::start() {
  if (started_.exchange(true) || stopping_) return;
  if (!options.stop_signals.empty()) {
    signals_ = std::make_unique<SignalWatcher>(main_loop, options.stop_signals, [this](int signo) {
      if (stopping_) {
        // A second signal while draining: the operator does not want to wait.
        WEFT_LOG(LogLevel::warn, "received %s again; closing every connection now", ::strsignal(signo));
        for (auto& c : contexts) {
          LoopContext* ctx = c.get();
          ctx->loop.post([ctx] { ctx->cut(); });
        }
        return;
      }
      WEFT_LOG(LogLevel::info, "received %s, stopping", ::strsignal(signo));
      stop();
    });
    signals_->start();
  }
  handler.on_boot(server);
  // The loops have not started, so their set-up can run here, on this thread.
  for (auto& l : listeners) l->start();
  if (governor_) governor_->start();
  for (auto& c : contexts) c->start_idle_sweep();
  io.start();
  main_loop.post([this] { tick(); });
  main_thread_ = std::thread([this] {
    ::pthread_setname_np(::pthread_self(), "weft-main");
    main_loop.run();
  });
}

void ServerCore::wait() {
  std::lock_guard lock(wait_mutex_);
  if (main_thread_.joinable()) main_thread_.join();
  io.stop();
}

void ServerCore::stop() {
  if (stopping_.exchange(true)) return;
  if (!started_) return;
  main_loop.post([this] { begin_stop(); });
}

// Each listener is closed on the loop that watches it, as in begin_stop() and the loops'
// begin_shutdown(); closing one twice does nothing. Accepted sockets reach their I/O loop
// through a posted task, so what then posts there comes after them.
void ServerCore::stop_accepting(std::function<void()> then) {
  if (!started_) return;
  main_loop.post([this, then = std::move(then)] {
    for (auto& l : listeners) {
      if (l->on_main_loop()) l->close();
    }
    for (auto& c : contexts) {
      LoopContext* ctx = c.get();
      ctx->loop.post([this, ctx] {
        for (auto& l : listeners) {
          if (l->owner() == ctx) l->close();
        }
      });
    }
    if (then) then();
  });
}

void ServerCore::tick() {
  if (stopping_) return;
  Duration next = handler.on_tick();
  if (next == kStopTicking) return;
  main_loop.run_after(next, [this] { tick(); });
}

void ServerCore::begin_stop() {
  // reuse_port listeners belong to their I/O loops, which close them in begin_shutdown.
  for (auto& l : listeners) {
    if (l->on_main_loop()) l->close();
  }
  for (auto& c : contexts) {
    LoopContext* ctx = c.get();
    ctx->loop.post([ctx] { ctx->begin_shutdown(); });
  }
  // Under the lock, so that a participant cannot leave (and be destroyed) meanwhile.
  std::lock_guard lock(participants_mutex_);
  stop_begun_ = true;
  participants_stopping_ = participants_.size();
  for (StopParticipant* p : participants_) {
    p->begin_stop([this] { main_loop.post([this] { ++participants_done_; maybe_finish(); }); });
  }
}

void ServerCore::loop_drained() {
  main_loop.post([this] {
    ++drained_loops_;
    maybe_finish();
  });
}

void ServerCore::maybe_finish() {
  if (drained_loops_ == contexts.size() && participants_done_ == participants_stopping_) finish();
}

void ServerCore::add_participant(StopParticipant* participant) {
  std::lock_guard lock(participants_mutex_);
  if (stop_begun_) throw std::logic_error("the server is stopping: nothing more can join its loops");
  participants_.push_back(participant);
}

void ServerCore::remove_participant(StopParticipant* participant) {
  std::lock_guard lock(participants_mutex_);
  std::erase(participants_, participant);
}

void ServerCore::finish() {
  try {
    handler.on_shutdown(server);
  } catch (const std::exception& e) {
    WEFT_LOG(LogLevel::error, "on_shutdown threw: %s", e.what());
  }
  io.stop();
  main_loop.quit();
}

void ServerCore::dispatch(int fd, const Address& remote, LoopContext* own, TransportFactory* transport) {
  if (options.max_connections != 0 && connection_count() >= options.max_connections) {
    if (!over_limit_logged_.exchange(true, std::memory_order_relaxed)) {
      WEFT_LOG(LogLevel::warn, "max_connections (%zu) reached; refusing new connections", options.max_connections);
    }
    ::close(fd);
    return;
  }
  over_limit_logged_.store(false, std::memory_order_relaxed);
  LoopContext* target = own;
  if (target == nullptr) {
    for (size_t i = 0; i < contexts.size(); ++i) {
      loads_[i] = contexts[i]->connections.load(std::memory_order_relaxed);
    }
    size_t pick = balancer_->pick(remote, loads_);
    target = contexts[pick < contexts.size() ? pick : pick % contexts.size()].get();
  }
  target->connections.fetch_add(1, std::memory_order_relaxed);
  if (target->loop.in_loop_thread()) {
    target->adopt(fd, remote, nullptr, transport);
  } else if (!target->loop.post([target, fd, remote, transport] { target->adopt(fd, remote, nullptr, transport); })) {
    ::close(fd);
    target->connections.fetch_sub(1, std::memory_order_relaxed);
  }
}

size_t ServerCore::connection_count() const {
  size_t n = 0;
  for (auto& c : contexts) n += c->connections.load(std::memory_order_relaxed);
  return n;
}

}  // namespace weft::detail
