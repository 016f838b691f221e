#include "weft/net/pool.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <memory>
#include <stdexcept>
#include <unordered_map>

#include "core/guarded_call.h"
#include "net/dial_target.h"
#include "weft/core/error.h"
#include "weft/net/client.h"
#include "weft/net/detail/pool_sink.h"

namespace weft {
namespace detail {

// The pool is the client's handler and forwards to the user's. Loop 0 thread only, but
// for the constructor, start/stop/wait and the destructor.
class PoolCore final : public Handler {
 public:
  PoolCore(Handler* user, std::vector<std::string> endpoints, PoolOptions options, ClientOptions client)
      : user_(user != nullptr ? *user : quiet_), options_(std::move(options)) {
    if (options_.max_per_endpoint == 0) throw std::invalid_argument("PoolOptions: max_per_endpoint must be at least 1");
    if (options_.min_idle > options_.max_per_endpoint) {
      throw std::invalid_argument("PoolOptions: min_idle must not exceed max_per_endpoint");
    }
    if (options_.health_interval < Duration::zero())
      throw std::invalid_argument("PoolOptions: health_interval must not be negative");
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
    loop().post([this] {
      if (stopped_) return;
      if (options_.idle_timeout > Duration::zero()) {
        Duration period = std::max<Duration>(options_.idle_timeout / 2, std::chrono::milliseconds(1));
        sweep_timer_ = loop().run_every(period, [this] { sweep_idle(); });
      }
      if (options_.health_interval > Duration::zero()) {
        health_timer_ = loop().run_every(options_.health_interval, [this] { probe_all(); });
      }
      warm();
    });
  }
  void stop() {
    if (stopped_.exchange(true)) return;
    loop().post([this] {
      for (TimerId* t : {&sweep_timer_, &health_timer_}) {
        if (*t) loop().cancel(*t);
        *t = {};
      }
      for (Endpoint& e : endpoints_) {
        if (e.retry) loop().cancel(e.retry);
        e.retry = {};
      }
      fail_all(make_error_code(Errc::shutdown));
    });
    client_->stop();
  }
  void wait() { client_->wait(); }
  EventLoop& loop() { return client_->loop(0); }

  const PoolOptions& options() const { return options_; }
  size_t max_inbound() const { return client_->options().max_inbound; }

  void acquire(Pool::Acquired done, Duration timeout) {
    if (stopped_) {
      auto shutdown = [done] { done(nullptr, make_error_code(Errc::shutdown)); };
      // A loop that has finished runs no more tasks: then done is called here, once.
      if (!loop().post(shutdown)) shutdown();
      return;
    }
    uint64_t id = ++next_waiter_;
    TimerId deadline = loop().run_after(timeout, [this, id] { expire(id); });
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
    it->second.sink.reset();
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

  void set_sink(Conn& c, std::shared_ptr<PoolSink> sink) {
    if (auto it = conns_.find(&c); it != conns_.end() && it->second.in_use) it->second.sink = std::move(sink);
  }

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
    if (client_->loop(0).in_loop_thread() && !stopped_) warm();  // At construction, start() warms.
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
    s.down = down(e);
    return s;
  }

  // Handler: pooled connections, and health probes (which no handler hears of).
  void on_open(Conn& c) override {
    if (!is_probe(c)) user_.on_open(c);
  }
  void on_traffic(Conn& c) override {
    auto it = conns_.find(&c);
    if (it == conns_.end()) {
      if (is_probe(c)) {
        c.discard();
        return;
      }
    } else if (!it->second.in_use) {
      c.close();  // Input nobody asked for: the protocol is out of step.
      return;
    } else if (it->second.sink) {
      it->second.sink->on_traffic(c);
      return;
    }
    user_.on_traffic(c);
  }
  void on_close(Conn& c, CloseReason reason, std::error_code error) override {
    if (is_probe(c)) return;
    std::shared_ptr<PoolSink> sink;
    if (auto it = conns_.find(&c); it != conns_.end()) {
      Endpoint& e = endpoints_[it->second.endpoint];
      if (it->second.in_use) {
        --e.in_use;
      } else {
        std::erase(e.idle, &c);
      }
      sink = std::move(it->second.sink);
      conns_.erase(it);
    }
    if (sink) sink->on_close(c, error ? error : make_error_code(Errc::closed));
    user_.on_close(c, reason, error);
    if (!stopped_) {
      loop().post([this] {
        if (!stopped_) pump();
      });
    }
  }
  bool on_stopping(Conn& c) override { return is_probe(c) || user_.on_stopping(c); }
  void on_heartbeat(Conn& c) override {
    if (!is_probe(c)) user_.on_heartbeat(c);
  }
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
    TimerId retry;         // Passive health: pumps again when the backoff ends.
    bool probing = false;  // A health probe is in flight.
    bool retired = false;
  };
  struct Entry {
    size_t endpoint;
    bool in_use = false;
    TimePoint idle_since{};
    std::shared_ptr<PoolSink> sink;  // A coroutine lease holds it (in use only).
  };
  struct Waiter {
    uint64_t id;
    Pool::Acquired done;
    TimerId deadline;
  };

  // Passive health: an endpoint that failed is down for its backoff. Active: it stays down
  // until a probe succeeds.
  bool down(const Endpoint& e) const {
    if (e.failures_in_row == 0) return false;
    return options_.health_interval > Duration::zero() || e.down_until > client_->loop(0).now();
  }
  bool usable(const Endpoint& e) const { return !e.retired && !down(e); }
  bool is_probe(const Conn& c) const { return c.context() == &probe_tag_; }

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
    warm();
  }

  // Dials until every healthy endpoint has min_idle idle connections, counting those
  // on their way.
  void warm() {
    if (stopped_ || options_.min_idle == 0) return;
    for (size_t i = 0; i < endpoints_.size(); ++i) {
      Endpoint& e = endpoints_[i];
      if (!usable(e)) continue;
      while (e.idle.size() + e.dialing < options_.min_idle &&
             e.idle.size() + e.in_use + e.dialing < options_.max_per_endpoint) {
        dial(i);
      }
    }
  }

  void failed(size_t i, std::error_code ec) {
    Endpoint& e = endpoints_[i];
    ++e.failures;
    if (++e.failures_in_row == 1) state_changed(e, false);
    Duration backoff = std::min<Duration>(
        std::chrono::milliseconds(100) * (1u << std::min<size_t>(e.failures_in_row - 1, 7)), std::chrono::seconds(10));
    e.down_until = loop().now() + backoff;
    last_error_ = ec;
    if (stopped_ || options_.health_interval > Duration::zero()) return;
    if (e.retry) loop().cancel(e.retry);
    e.retry = loop().run_after(backoff, [this, i] {
      endpoints_[i].retry = {};
      if (!stopped_) pump();  // The endpoint is usable again: warm it, serve waiters.
    });
  }

  void succeeded(Endpoint& e) {
    if (e.failures_in_row == 0) return;
    e.failures_in_row = 0;
    state_changed(e, true);
  }

  void state_changed(const Endpoint& e, bool up) {
    if (options_.on_state_change) guarded_call("Pool on_state_change", [&] { options_.on_state_change(e.url, up); });
  }

  // Active health: one dial per endpoint that must connect; the connection closes at once.
  void probe_all() {
    for (size_t i = 0; i < endpoints_.size(); ++i) {
      Endpoint& e = endpoints_[i];
      if (e.retired || e.probing) continue;
      e.probing = true;
      client_->dial(
          e.url,
          [this, i](Conn* c, std::error_code ec) {
            Endpoint& p = endpoints_[i];
            p.probing = false;
            if (c == nullptr) {
              if (stopped_) return;  // Errc::shutdown: no news about the endpoint.
              failed(i, ec);
              pump();
              return;
            }
            c->close();
            succeeded(p);
            if (!stopped_) pump();
          },
          const_cast<char*>(&probe_tag_), 0);
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
            if (stopped_) return;  // Errc::shutdown: no news about the endpoint.
            failed(i, ec);
            pump();
            return;
          }
          succeeded(e);
          last_error_ = {};
          conns_[c] = Entry{i, false, loop().now(), nullptr};
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

  Handler quiet_;  // The handler of a pool made without one.
  Handler& user_;
  const PoolOptions options_;
  const char probe_tag_ = 0;  // Its address is the context of health probes.
  std::unique_ptr<Client> client_;
  std::vector<Endpoint> endpoints_;
  std::unordered_map<Conn*, Entry> conns_;
  std::deque<Waiter> waiters_;
  uint64_t next_waiter_ = 0;
  std::error_code last_error_;
  TimerId sweep_timer_;
  TimerId health_timer_;
  std::atomic<bool> stopped_{false};
};

}  // namespace detail

Pool::Pool(Handler& handler, std::vector<std::string> endpoints, PoolOptions options, ClientOptions client)
    : core_(std::make_unique<detail::PoolCore>(&handler, std::move(endpoints), std::move(options), std::move(client))) {}
Pool::Pool(std::vector<std::string> endpoints, PoolOptions options, ClientOptions client)
    : core_(std::make_unique<detail::PoolCore>(nullptr, std::move(endpoints), std::move(options), std::move(client))) {}
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
  core_->acquire(std::move(done), core_->options().acquire_timeout);
}
void Pool::acquire(Acquired done, Duration timeout) {
  core_->acquire(std::move(done), timeout);
}
PoolAcquire Pool::acquire() {
  return {this, core_->options().acquire_timeout};
}
PoolAcquire Pool::acquire(Duration timeout) {
  return {this, timeout};
}
void Pool::set_sink(Conn& conn, std::shared_ptr<detail::PoolSink> sink) {
  core_->set_sink(conn, std::move(sink));
}
size_t Pool::max_inbound() const {
  return core_->max_inbound();
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
