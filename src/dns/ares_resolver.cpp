// ares_resolver(): c-ares driven by the loop. c-ares tells through its socket-state
// callback which sockets it wants watched; the loop watches them and hands readiness back
// to ares_process_fd, and one loop timer follows ares_timeout() for retries. Nothing
// blocks and no thread is started. Answers are cached for the smallest time to live of
// their records.

#include <ares.h>
#include <sys/time.h>

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "dns/caching_resolver.h"
#include "weft/core/detail/io_object.h"
#include "weft/core/detail/loop_access.h"
#include "weft/core/log.h"

namespace weft::dns {
namespace detail {
namespace {

using weft::detail::IoObject;
using weft::detail::kError;
using weft::detail::kHangup;
using weft::detail::kReadable;
using weft::detail::kWritable;

std::error_code ares_error(int status) {
  switch (status) {
    case ARES_ENOTFOUND:
    case ARES_ENONAME: return make_error_code(Errc::name_not_found);
    case ARES_ENODATA: return make_error_code(Errc::no_address);
    case ARES_ETIMEOUT: return make_error_code(Errc::timeout);
    case ARES_EBADNAME: return make_error_code(Errc::bad_name);
    case ARES_ECANCELLED:
    case ARES_EDESTRUCTION: return make_error_code(Errc::cancelled);
    default: return make_error_code(Errc::server_failure);
  }
}

void init_library() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (int rc = ::ares_library_init(ARES_LIB_INIT_ALL); rc != ARES_SUCCESS) {
      throw std::runtime_error(std::string("c-ares: ") + ::ares_strerror(rc));
    }
  });
}

class AresResolver final : public CachingResolver {
 public:
  AresResolver(EventLoop& loop, const AresOptions& options) : CachingResolver(loop, options.cache) {
    init_library();
    ares_options o{};
    int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
    o.sock_state_cb = &AresResolver::socket_state;
    o.sock_state_cb_data = this;
    o.timeout = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(options.timeout).count());
    o.tries = options.tries;
    std::string lookups = options.hosts_file ? "fb" : "b";
    o.lookups = lookups.data();
    mask |= ARES_OPT_LOOKUPS;
    if (int rc = ::ares_init_options(&channel_, &o, mask); rc != ARES_SUCCESS) {
      throw std::runtime_error(std::string("c-ares: ") + ::ares_strerror(rc));
    }
    if (!options.servers.empty()) {
      if (int rc = ::ares_set_servers_ports_csv(channel_, options.servers.c_str()); rc != ARES_SUCCESS) {
        ::ares_destroy(channel_);
        throw std::invalid_argument("ares_resolver: bad servers \"" + options.servers + "\": " + ::ares_strerror(rc));
      }
    }
  }

  // On the loop thread, or anywhere once the loop has stopped for good: then the loop is
  // left alone (closing the sockets takes them out of the poller).
  ~AresResolver() override {
    on_loop_ = loop_.in_loop_thread();
    // Calls every query's callback with ARES_EDESTRUCTION (dropped) and closes its sockets
    // through socket_state.
    ::ares_destroy(channel_);
    if (timer_ && on_loop_) loop_.cancel(timer_);
  }

 private:
  struct Query {
    AresResolver* self;
    std::string host;
  };

  // One watched c-ares socket.
  struct Watch final : IoObject {
    AresResolver* self = nullptr;
    int fd = -1;
    void on_io(uint32_t events) override { self->on_socket(fd, events); }
  };

  void lookup(const std::string& host) override {
    ares_addrinfo_hints hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = ARES_AI_NOSORT;
    // The answer may come inside this call (a hosts-file hit); finish() must not run
    // inside resolve(), so it is handed over through a posted task then.
    in_lookup_ = true;
    ::ares_getaddrinfo(channel_, host.c_str(), nullptr, &hints, &AresResolver::answered, new Query{this, host});
    in_lookup_ = false;
    rearm();
  }

  static void answered(void* arg, int status, int, ares_addrinfo* result) {
    std::unique_ptr<Query> q(static_cast<Query*>(arg));
    if (status == ARES_EDESTRUCTION) {
      if (result != nullptr) ::ares_freeaddrinfo(result);
      return;
    }
    Answer a;
    if (status != ARES_SUCCESS) {
      a.error = ares_error(status);
    } else if (result != nullptr) {
      int ttl = -1;
      for (ares_addrinfo_node* n = result->nodes; n != nullptr; n = n->ai_next) {
        a.addresses.push_back(Address::from_sockaddr(n->ai_addr, n->ai_addrlen));
        if (ttl < 0 || n->ai_ttl < ttl) ttl = n->ai_ttl;
      }
      a.ttl = std::chrono::seconds(ttl < 0 ? 0 : ttl);
    }
    if (result != nullptr) ::ares_freeaddrinfo(result);
    AresResolver* self = q->self;
    if (self->in_lookup_) {
      std::weak_ptr<CachingResolver*> alive = self->token();
      self->loop_.post([alive, host = q->host, a = std::move(a)]() mutable {
        if (auto p = alive.lock(); p && *p != nullptr) static_cast<AresResolver*>(*p)->finish(host, std::move(a));
      });
      return;
    }
    self->finish(q->host, std::move(a));
  }

  static void socket_state(void* data, ares_socket_t fd, int readable, int writable) {
    auto* self = static_cast<AresResolver*>(data);
    uint32_t want = (readable ? uint32_t{kReadable} : 0u) | (writable ? uint32_t{kWritable} : 0u);
    auto it = self->watches_.find(fd);
    if (want == 0) {
      if (it != self->watches_.end()) {
        if (self->on_loop_) weft::detail::LoopAccess(self->loop_).remove_io(fd);
        self->watches_.erase(it);
      }
      return;
    }
    std::error_code ec;
    if (it == self->watches_.end()) {
      auto w = std::make_unique<Watch>();
      w->self = self;
      w->fd = fd;
      ec = weft::detail::LoopAccess(self->loop_).add_io(fd, want, w.get());
      if (!ec) self->watches_.emplace(fd, std::move(w));
    } else {
      ec = weft::detail::LoopAccess(self->loop_).modify_io(fd, want, it->second.get());
    }
    // The query then times out through ares_timeout.
    if (ec) WEFT_LOG(LogLevel::warn, "c-ares: cannot watch a resolver socket: %s", ec.message().c_str());
  }

  void on_socket(int fd, uint32_t events) {
    ares_socket_t r = (events & (kReadable | kError | kHangup)) ? fd : ARES_SOCKET_BAD;
    ares_socket_t w = (events & (kWritable | kError)) ? fd : ARES_SOCKET_BAD;
    ::ares_process_fd(channel_, r, w);
    rearm();
  }

  // One timer at c-ares's next deadline, while queries are in flight.
  void rearm() {
    if (timer_) {
      loop_.cancel(timer_);
      timer_ = {};
    }
    timeval tv{};
    if (::ares_timeout(channel_, nullptr, &tv) == nullptr) return;
    auto delay = std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
    timer_ = loop_.run_after(std::chrono::duration_cast<Duration>(delay) + std::chrono::milliseconds(1), [this] {
      timer_ = {};
      ::ares_process_fd(channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
      rearm();
    });
  }

  ares_channel channel_ = nullptr;
  std::unordered_map<int, std::unique_ptr<Watch>> watches_;
  TimerId timer_;
  bool in_lookup_ = false;
  bool on_loop_ = true;  // False while destroyed off the loop thread.
};

}  // namespace
}  // namespace detail

ResolverFactory ares_resolver(AresOptions options) {
  return [options](EventLoop& loop) -> std::unique_ptr<Resolver> {
    return std::make_unique<detail::AresResolver>(loop, options);
  };
}

}  // namespace weft::dns
