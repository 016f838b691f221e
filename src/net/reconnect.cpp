#include "weft/net/reconnect.h"

#include <atomic>
#include <cmath>
#include <mutex>
#include <random>
#include <stdexcept>

#include "core/guarded_call.h"
#include "net/dial_target.h"
#include "weft/core/error.h"
#include "weft/net/server.h"

namespace weft {

Duration backoff_delay(const Backoff& b, size_t failures, uint64_t random) {
  double ceiling = static_cast<double>(b.initial.count());
  const double cap = static_cast<double>(b.max.count());
  for (size_t i = 1; i < failures && ceiling < cap; ++i) ceiling *= b.multiplier;
  ceiling = std::min(ceiling, cap);
  // random / 2^64 is uniform in [0, 1).
  double fraction = static_cast<double>(random >> 11) * 0x1.0p-53;
  return Duration(static_cast<Duration::rep>(fraction * ceiling));
}

namespace detail {

// The forwarding handler: the user's handler hears everything; a close schedules the next
// dial. All on loop 0.
class ReconnectCore final : public Handler {
 public:
  ReconnectCore(Server* server, Handler& handler, std::string url, Backoff backoff, ReconnectHooks hooks,
                ClientOptions options)
      : user_(handler),
        url_(std::move(url)),
        backoff_(backoff),
        hooks_(std::move(hooks)),
        rng_(std::random_device{}()) {
    if (backoff_.initial < Duration::zero() || backoff_.initial > backoff_.max) {
      throw std::invalid_argument("Backoff: initial must be from 0 to max");
    }
    if (!(backoff_.multiplier >= 1.0)) throw std::invalid_argument("Backoff: multiplier must be at least 1");
    options.loops = 1;
    client_ = server != nullptr ? std::make_unique<Client>(*server, *this, std::move(options))
                                : std::make_unique<Client>(*this, std::move(options));
    (void)parse_dial_target(url_);  // A malformed URL throws here, not on the loop.
  }

  ~ReconnectCore() override {
    stop();
    client_->wait();  // The loop is done with this object before the client goes.
    client_.reset();
  }

  void start() {
    client_->start();
    loop().post([this] { dial(); });
  }

  void stop() {
    if (stopped_.exchange(true)) return;
    loop().post([this] {
      if (timer_) loop().cancel(timer_);
      timer_ = {};
    });
    client_->stop();
  }

  void wait() { client_->wait(); }

  ConnHandle connection() const {
    std::lock_guard lock(mutex_);
    return current_;
  }

  void on_open(Conn& c) override {
    {
      std::lock_guard lock(mutex_);
      current_ = c.handle();
    }
    user_.on_open(c);
  }
  void on_traffic(Conn& c) override { user_.on_traffic(c); }
  void on_close(Conn& c, CloseReason reason, std::error_code error) override {
    {
      std::lock_guard lock(mutex_);
      current_ = {};
    }
    user_.on_close(c, reason, error);
    failed(error ? error : make_error_code(Errc::closed));
  }
  bool on_stopping(Conn& c) override { return user_.on_stopping(c); }
  void on_heartbeat(Conn& c) override { user_.on_heartbeat(c); }
  void on_high_water(Conn& c) override { user_.on_high_water(c); }
  void on_low_water(Conn& c) override { user_.on_low_water(c); }

 private:
  EventLoop& loop() { return client_->loop(0); }

  void dial() {
    timer_ = {};
    if (stopped_) return;
    ++attempt_;
    if (hooks_.on_attempt) guarded_call("Reconnector on_attempt", [&] { hooks_.on_attempt(attempt_); });
    client_->dial(
        url_,
        [this](Conn* c, std::error_code ec) {
          if (c == nullptr) {
            failed(ec);
            return;
          }
          failures_ = 0;
          attempt_ = 0;
          if (hooks_.on_connected) guarded_call("Reconnector on_connected", [&] { hooks_.on_connected(*c); });
        },
        nullptr, 0);
  }

  void failed(std::error_code ec) {
    if (stopped_ || ec == Errc::shutdown) return;
    ++failures_;
    if (backoff_.max_attempts != 0 && failures_ >= backoff_.max_attempts) {
      if (hooks_.on_give_up) guarded_call("Reconnector on_give_up", [&] { hooks_.on_give_up(ec); });
      return;
    }
    Duration delay = backoff_delay(backoff_, failures_, rng_());
    if (hooks_.on_failure) guarded_call("Reconnector on_failure", [&] { hooks_.on_failure(ec, failures_, delay); });
    timer_ = loop().run_after(delay, [this] { dial(); });
  }

  Handler& user_;
  const std::string url_;
  const Backoff backoff_;
  const ReconnectHooks hooks_;
  std::unique_ptr<Client> client_;
  std::atomic<bool> stopped_{false};
  std::mt19937_64 rng_;  // Loop thread, as are the next.
  size_t failures_ = 0;
  size_t attempt_ = 0;
  TimerId timer_;
  mutable std::mutex mutex_;
  ConnHandle current_;  // Guarded by mutex_.
};

}  // namespace detail

Reconnector::Reconnector(Handler& handler, std::string url, Backoff backoff, ReconnectHooks hooks,
                         ClientOptions options)
    : core_(std::make_unique<detail::ReconnectCore>(nullptr, handler, std::move(url), backoff, std::move(hooks),
                                                    std::move(options))) {}

Reconnector::Reconnector(Server& server, Handler& handler, std::string url, Backoff backoff, ReconnectHooks hooks,
                         ClientOptions options)
    : core_(std::make_unique<detail::ReconnectCore>(&server, handler, std::move(url), backoff, std::move(hooks),
                                                    std::move(options))) {}

Reconnector::~Reconnector() = default;
void Reconnector::start() {
  core_->start();
}
void Reconnector::stop() {
  core_->stop();
}
void Reconnector::wait() {
  core_->wait();
}
ConnHandle Reconnector::connection() const {
  return core_->connection();
}

}  // namespace weft
