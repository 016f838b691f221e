#include "worker.h"

#include <sys/epoll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "clock.h"

namespace weft_load {

namespace {

constexpr unsigned kMaxConnecting = 256;  // per worker: keeps SYN bursts within listen backlogs
constexpr std::uint64_t kReconnectDelay = 100'000'000;
constexpr std::uint64_t kRetrySoon = 5'000'000;  // unix socket backlog full (EAGAIN)
constexpr std::uint64_t kMaxSleep = 50'000'000;  // how quickly `stop` is noticed
constexpr std::uint64_t kTimeoutScanEvery = 10'000'000;
constexpr std::uint64_t kStallScanEvery = 100'000'000;
constexpr std::size_t kScratchBytes = std::size_t{64} * 1024;
// Fixed-rate mode sleeps until this long before the next send and polls the
// rest: timer wake-ups overshoot by tens of microseconds (more on VMs), which
// would delay sends and show up as latency that the server did not cause.
constexpr std::uint64_t kSpinMargin = 50'000;

}  // namespace

Worker::Worker(const Options& opt, const weft::Address& ep, const Codec& codec, WorkerPlan plan,
               const std::atomic<bool>& stop)
    : opt_(opt),
      ep_(ep),
      codec_(codec),
      plan_(std::move(plan)),
      stop_(stop),
      scratch_(std::max(kScratchBytes, codec.size())) {
  for (std::uint32_t id : plan_.conn_ids) conns_.emplace_back(id);
  if (plan_.rate > 0) rate_interval_ns_ = 1e9 / plan_.rate;
}

Worker::~Worker() {
  conns_.clear();
  if (epfd_ >= 0) ::close(epfd_);
}

void Worker::run() {
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) {
    std::fprintf(stderr, "weft-load: epoll_create1: %s\n", std::strerror(errno));
    counters_.err_connect += conns_.size();
    publish();
    return;
  }
  // Fixed-rate sends are timed by epoll timeouts; the default 50 us timer slack
  // would delay them (and inflate the measured latency) for no reason.
  if (plan_.rate > 0) ::prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);

  for (Connection& c : conns_) connect_queue_.emplace(plan_.start, &c);
  std::vector<epoll_event> events(512);
  const bool idle = opt_.idle_mode();

  for (;;) {
    std::uint64_t now = now_ns();
    if (stop_.load(std::memory_order_relaxed)) break;
    if (!idle && now >= plan_.window_end) break;
    start_due_connects(now);
    if (connecting_ > 0 && now - last_timeout_scan_ >= kTimeoutScanEvery) expire_connects(now);
    if (now - last_stall_scan_ >= kStallScanEvery) expire_responses(now);
    if (plan_.rate > 0) issue_rate_sends(now);
    publish();

    const std::uint64_t wait = next_wakeup(now_ns());
    timespec ts{static_cast<time_t>(wait / kNsPerSec), static_cast<long>(wait % kNsPerSec)};
    int n = ::epoll_pwait2(epfd_, events.data(), static_cast<int>(events.size()), &ts, nullptr);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::fprintf(stderr, "weft-load: epoll_pwait2: %s\n", std::strerror(errno));
      break;
    }
    for (int i = 0; i < n; ++i) {
      handle(*static_cast<Connection*>(events[i].data.ptr), events[i].events);
    }
  }
  expire_responses(now_ns());  // a stall right before the end still counts
  for (Connection& c : conns_) c.close();
  open_ = 0;
  publish();
}

void Worker::publish() noexcept {
  live_msgs.store(counters_.msgs_total, std::memory_order_relaxed);
  live_bytes.store(counters_.msgs_total * codec_.size(), std::memory_order_relaxed);
  live_errors.store(counters_.errors(), std::memory_order_relaxed);
  live_open.store(open_, std::memory_order_relaxed);
  live_settled.store(settled_, std::memory_order_relaxed);
}

std::uint64_t Worker::next_wakeup(std::uint64_t now) const {
  auto until = [now](std::uint64_t t) { return t > now ? t - now : 0; };
  std::uint64_t wait = kMaxSleep;
  if (!opt_.idle_mode()) wait = std::min(wait, until(plan_.window_end));
  if (!connect_queue_.empty() && connecting_ < kMaxConnecting) {
    wait = std::min(wait, until(connect_queue_.top().first));
  }
  if (connecting_ > 0) wait = std::min(wait, kTimeoutScanEvery);
  if (plan_.rate > 0) {
    const auto next = plan_.start + static_cast<std::uint64_t>(static_cast<double>(rate_next_) * rate_interval_ns_);
    const std::uint64_t to_send = until(next);
    wait = std::min(wait, to_send > kSpinMargin ? to_send - kSpinMargin : 0);
  }
  return wait;
}

void Worker::start_due_connects(std::uint64_t now) {
  const std::uint64_t timeout = seconds_to_ns(opt_.connect_timeout_s);
  while (!connect_queue_.empty() && connecting_ < kMaxConnecting) {
    auto [when, c] = connect_queue_.top();
    if (when > now) break;
    connect_queue_.pop();
    const int err = c->start_connect(ep_, epfd_, now + timeout);
    if (err == 0) {
      ++connecting_;
    } else if (err == EAGAIN) {
      connect_queue_.emplace(now + kRetrySoon, c);
    } else {
      fail(*c, true);
    }
  }
}

void Worker::expire_connects(std::uint64_t now) {
  last_timeout_scan_ = now;
  for (Connection& c : conns_) {
    if (c.state() == Connection::State::connecting && c.deadline() <= now) fail(c, true);
  }
}

// An echo that never comes (bytes lost without the connection closing) would
// otherwise stall its connection silently.
void Worker::expire_responses(std::uint64_t now) {
  last_stall_scan_ = now;
  const std::uint64_t limit = seconds_to_ns(opt_.response_timeout_s);
  for (Connection& c : conns_) {
    if (c.state() != Connection::State::open) continue;
    if (auto oldest = c.oldest_inflight(); oldest && now > *oldest && now - *oldest > limit) {
      ++counters_.err_timeout;
      fail(c, false);
    }
  }
}

void Worker::issue_rate_sends(std::uint64_t now) {
  const std::size_t n = conns_.size();
  for (;;) {
    const auto due = plan_.start + static_cast<std::uint64_t>(static_cast<double>(rate_next_) * rate_interval_ns_);
    if (due > now || due >= plan_.window_end) return;
    // Round robin spreads the worker's rate evenly: each connection gets one
    // send every n intervals. A closed connection keeps its due sends until it
    // is reconnected, so the wait shows up in the latency.
    Connection& c = conns_[rate_next_ % n];
    ++rate_next_;
    c.add_due(due);
    if (!c.pump(epfd_, codec_, opt_.pipeline, counters_)) fail(c, false);
  }
}

void Worker::handle(Connection& c, std::uint32_t events) {
  switch (c.state()) {
    case Connection::State::closed: return;
    case Connection::State::connecting:
      if (c.finish_connect(epfd_) != 0) {
        fail(c, true);
      } else {
        --connecting_;
        established(c, now_ns());
      }
      return;
    case Connection::State::open: break;
  }
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
    std::uint64_t completed = 0;
    Sink sink{codec_, hist_, counters_, plan_.window_begin, plan_.window_end};
    if (!c.on_readable(sink, scratch_.data(), scratch_.size(), completed)) {
      fail(c, false);
      return;
    }
    if (completed > 0 && !opt_.idle_mode()) {
      const std::uint64_t now = now_ns();
      if (plan_.rate == 0 && now < plan_.window_end) {
        for (std::uint64_t i = 0; i < completed; ++i) c.add_due(now);
      }
      if (!c.pump(epfd_, codec_, opt_.pipeline, counters_)) {
        fail(c, false);
        return;
      }
    }
  }
  if ((events & EPOLLOUT) && !c.on_writable(epfd_, counters_)) fail(c, false);
}

void Worker::established(Connection& c, std::uint64_t now) {
  ++open_;
  ++counters_.connects;
  if (opt_.idle_mode()) {
    ++settled_;
    return;
  }
  if (plan_.rate == 0) {
    for (unsigned i = 0; i < opt_.pipeline; ++i) c.add_due(now);
  }
  if (!c.pump(epfd_, codec_, opt_.pipeline, counters_)) fail(c, false);
}

void Worker::fail(Connection& c, bool connect_error) {
  const bool was_open = c.state() == Connection::State::open;
  if (c.state() == Connection::State::connecting) --connecting_;
  if (was_open) --open_;
  if (connect_error) ++counters_.err_connect;
  c.close();
  if (opt_.idle_mode()) {
    if (!was_open) ++settled_;  // idle mode gives up after one attempt
    return;
  }
  connect_queue_.emplace(now_ns() + kReconnectDelay, &c);
}

}  // namespace weft_load
