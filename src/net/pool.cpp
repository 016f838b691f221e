#include "weft/net/pool.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <unordered_map>

#include "net/dial_target.h"
#include "weft/core/error.h"
#include "weft/net/client.h"

namespace weft {
namespace detail {

// The pool is the client's handler and forwards to the user's. Loop 0 thread only, but
// for the constructor, start/stop/wait and the destructor.
class PoolCore final : public Handler {
 public:
  PoolCore(Handler& user, std::vector<std::string> endpoints, PoolOptions options, ClientOptions client)
      : user_(user), options_(options) {
    if (options_.max_per_endpoint == 0) throw std::invalid_argument("PoolOptions: max_per_endpoint must be at least 1");
    client.loops = 1;
    client_ = std::make_unique<Client>(*this, std::move(client));
    replace(std::move(endpoints));
  }
  ~PoolCore() override {
    stop();
    client_->wait();  // The loop is done with this object before the client goes.
    client_.reset();
  }

  void start() {
    client_->start();
    if (options_.idle_timeout > Duration::zero()) {
      loop().post([this] {
        Duration period = std::max<Duration>(options_.idle_timeout / 2, std::chrono::milliseconds(1));
        sweep_timer_ = loop().run_every(period, [this] { sweep_idle(); });
      });
    }
  }
  void stop() {
    if (stopped_.exchange(true)) return;
    loop().post([this] {
      if (sweep_timer_) loop().cancel(sweep_timer_);
      fail_all(make_error_code(Errc::shutdown));
    });
    client_->stop();
  }
  void wait() { client_->wait(); }
  EventLoop& loop() { return client_->loop(0); }

  void acquire(Pool::Acquired done) {
    if (stopped_) {
      loop().post([done = std::move(done)] { done(nullptr, make_error_code(Errc::shutdown)); });
      return;
    }
    uint64_t id = ++next_waiter_;
    TimerId deadline = loop().run_after(options_.acquire_timeout, [this, id] { expire(id); });
    waiters_.push_back({id, std::move(done), deadline});
    loop().post([this] {
      if (!stopped_) pump();  // Never inside acquire().
    });
  }

  void release(Conn& c) {
    auto it = conns_.find(&c);
    if (it == conns_.end() || !it->second.in_use) return;
    Endpoint& e = endpoints_[it->second.endpoint];
    it->second.in_use = false;
    --e.in_use;
    if (e.retired || c.closing() || stopped_) {
      c.close();
      return;
    }
    it->second.idle_since = loop().now();
    e.idle.push_back(&c);
    pump();
  }

  void discard(Conn& c) { c.close(); }

  void replace(std::vector<std::string> urls) {
    for (const std::string& u : urls) (void)parse_dial_target(u);  // Throws if malformed.
    for (Endpoint& e : endpoints_) {
      e.retired = std::find(urls.begin(), urls.end(), e.url) == urls.end();
      if (e.retired) {
        for (Conn* c : std::exchange(e.idle, {})) c->close();
      }
    }
    for (std::string& u : urls) {
      auto known = std::find_if(endpoints_.begin(), endpoints_.end(), [&](const Endpoint& e) { return e.url == u; });
      if (known == endpoints_.end()) {
        Endpoint e;
        e.url = std::move(u);
        endpoints_.push_back(std::move(e));
      }
    }
  }

  size_t endpoint_count() const { return endpoints_.size(); }
  PoolStats stats(size_t i) const {
    const Endpoint& e = endpoints_.at(i);
    PoolStats s;
    s.idle = e.idle.size();
    s.in_use = e.in_use;
    s.open = s.idle + s.in_use;
    s.dialing = e.dialing;
    s.waiting = waiters_.size();
    s.failures = e.failures;
    s.down = e.failures_in_row > 0 && e.down_until > client_->loop(0).now();
    return s;
  }

  // Handler: pooled connections.
  void on_open(Conn& c) override { user_.on_open(c); }
  void on_traffic(Conn& c) override {
    auto it = conns_.find(&c);
    if (it != conns_.end() && !it->second.in_use) {
      c.close();  // Input nobody asked for: the protocol is out of step.
      return;
    }
    user_.on_traffic(c);
  }
  void on_close(Conn& c, CloseReason reason, std::error_code error) override {
    if (auto it = conns_.find(&c); it != conns_.end()) {
      Endpoint& e = endpoints_[it->second.endpoint];
      if (it->second.in_use) {
        --e.in_use;
      } else {
        std::erase(e.idle, &c);
      }
      conns_.erase(it);
    }
    user_.on_close(c, reason, error);
    if (!stopped_) {
      loop().post([this] {
        if (!stopped_) pump();
      });
    }
  }
  bool on_stopping(Conn& c) override { return user_.on_stopping(c); }
  void on_heartbeat(Conn& c) override { user_.on_heartbeat(c); }
  void on_high_water(Conn& c) override { user_.on_high_water(c); }
  void on_low_water(Conn& c) override { user_.on_low_water(c); }

 private:
  struct Endpoint {
    std::string url;
    std::vector<Conn*> idle;  // Most recently used last (reused first).
    size_t in_use = 0;
    size_t dialing = 0;
    uint64_t failures = 0;
    size_t failures_in_row = 0;
    TimePoint down_until{};
    bool retired = false;
  };
  struct Entry {
    size_t endpoint;
    bool in_use = false;
    TimePoint idle_since{};
  };
  struct Waiter {
    uint64_t id;
    Pool::Acquired done;
    TimerId deadline;
  };

  bool usable(const Endpoint& e) const {
    return !e.retired && (e.failures_in_row == 0 || e.down_until <= client_->loop(0).now());
  }

  // Hands idle connections to waiters in order, then dials for those still waiting.
  void pump() {
    while (!waiters_.empty()) {
      Endpoint* best = nullptr;
      for (Endpoint& e : endpoints_) {
        if (!e.idle.empty() && !e.retired && (best == nullptr || e.in_use < best->in_use)) best = &e;
      }
      if (best == nullptr) break;
      Conn* c = best->idle.back();
      best->idle.pop_back();
      conns_[c].in_use = true;
      ++best->in_use;
      Waiter w = std::move(waiters_.front());
      waiters_.pop_front();
      loop().cancel(w.deadline);
      w.done(c, {});
    }
    size_t dialing = 0;
    for (const Endpoint& e : endpoints_) dialing += e.dialing;
    while (waiters_.size() > dialing) {
      Endpoint* best = nullptr;
      for (Endpoint& e : endpoints_) {
        size_t open = e.idle.size() + e.in_use + e.dialing;
        if (usable(e) && open < options_.max_per_endpoint &&
            (best == nullptr || e.in_use + e.dialing < best->in_use + best->dialing)) {
          best = &e;
        }
      }
      if (best == nullptr) break;
      dial(static_cast<size_t>(best - endpoints_.data()));
      ++dialing;
    }
    // Nothing can be dialed and nothing is on its way: the waiters would wait in vain.
    if (!waiters_.empty() && dialing == 0 && last_error_) {
      bool any_usable = std::any_of(endpoints_.begin(), endpoints_.end(), [&](const Endpoint& e) { return usable(e); });
      size_t open = conns_.size();
      if (!any_usable && open == 0) fail_all(last_error_);
    }
  }

  void dial(size_t i) {
    ++endpoints_[i].dialing;
    client_->dial(
        endpoints_[i].url,
        [this, i](Conn* c, std::error_code ec) {
          Endpoint& e = endpoints_[i];
          --e.dialing;
          if (c == nullptr) {
            ++e.failures;
            ++e.failures_in_row;
            Duration backoff =
                std::min<Duration>(std::chrono::milliseconds(100) * (1u << std::min<size_t>(e.failures_in_row - 1, 7)),
                                   std::chrono::seconds(10));
            e.down_until = loop().now() + backoff;
            last_error_ = ec;
            if (!stopped_) pump();
            return;
          }
          e.failures_in_row = 0;
          last_error_ = {};
          conns_[c] = Entry{i, false, loop().now()};
          if (c->closing()) return;  // on_open closed it; on_close takes it out.
          e.idle.push_back(c);
          pump();
        },
        nullptr, 0);
  }

  void expire(uint64_t id) {
    auto it = std::find_if(waiters_.begin(), waiters_.end(), [id](const Waiter& w) { return w.id == id; });
    if (it == waiters_.end()) return;
    Pool::Acquired done = std::move(it->done);
    waiters_.erase(it);
    done(nullptr, make_error_code(Errc::timeout));
  }

  void fail_all(std::error_code ec) {
    std::deque<Waiter> gone = std::move(waiters_);
    waiters_.clear();
    for (Waiter& w : gone) {
      loop().cancel(w.deadline);
      w.done(nullptr, ec);
    }
  }

  void sweep_idle() {
    const TimePoint now = loop().now();
    for (Endpoint& e : endpoints_) {
      // Oldest first; the newest min_idle stay.
      while (e.idle.size() > options_.min_idle) {
        Conn* c = e.idle.front();
        if (now - conns_[c].idle_since < options_.idle_timeout) break;
        e.idle.erase(e.idle.begin());
        conns_[c].in_use = true;  // Out of the idle list; on_close settles the count.
        ++e.in_use;
        c->close();
      }
    }
  }

  Handler& user_;
  const PoolOptions options_;
  std::unique_ptr<Client> client_;
  std::vector<Endpoint> endpoints_;
  std::unordered_map<Conn*, Entry> conns_;
  std::deque<Waiter> waiters_;
  uint64_t next_waiter_ = 0;
  std::error_code last_error_;
  TimerId sweep_timer_;
  std::atomic<bool> stopped_{false};
};

}  // namespace detail

Pool::Pool(Handler& handler, std::vector<std::string> endpoints, PoolOptions options, ClientOptions client)
    : core_(std::make_unique<detail::PoolCore>(handler, std::move(endpoints), options, std::move(client))) {}
Pool::~Pool() = default;
void Pool::start() {
  core_->start();
}
void Pool::stop() {
  core_->stop();
}
void Pool::wait() {
  core_->wait();
}
EventLoop& Pool::loop() {
  return core_->loop();
}
void Pool::acquire(Acquired done) {
  core_->acquire(std::move(done));
}
void Pool::release(Conn& conn) {
  core_->release(conn);
}
void Pool::discard(Conn& conn) {
  core_->discard(conn);
}
void Pool::set_endpoints(std::vector<std::string> endpoints) {
  core_->replace(std::move(endpoints));
}
size_t Pool::endpoint_count() const {
  return core_->endpoint_count();
}
PoolStats Pool::stats(size_t endpoint) const {
  return core_->stats(endpoint);
}

}  // namespace weft
