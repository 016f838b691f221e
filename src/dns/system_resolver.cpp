// system_resolver(): getaddrinfo(3) on helper threads. getaddrinfo blocks for as long as
// the name servers take, so it never runs on a loop: a small pool of helper threads
// (started by the first query, at most kMaxHelpers, kept for the life of the process)
// runs it and posts the answer back to the loop that asked.

#include <netdb.h>
#include <pthread.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "dns/caching_resolver.h"

namespace weft::dns {
namespace detail {
namespace {

constexpr size_t kMaxHelpers = 4;

std::error_code gai_error(int rc) {
  switch (rc) {
    case EAI_NONAME: return make_error_code(Errc::name_not_found);
#ifdef EAI_NODATA
    case EAI_NODATA:
#endif
#ifdef EAI_ADDRFAMILY
    case EAI_ADDRFAMILY:
#endif
      return make_error_code(Errc::no_address);
    case EAI_AGAIN: return make_error_code(Errc::timeout);
    default: return make_error_code(Errc::server_failure);
  }
}

// The helper threads and their queue. Never destroyed: a helper may be inside a slow
// getaddrinfo when the process exits.
class Helpers {
 public:
  static Helpers& instance() {
    static Helpers* helpers = new Helpers;
    return *helpers;
  }

  void run(std::function<void()> job) {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
    if (idle_ == 0 && threads_ < kMaxHelpers) {
      ++threads_;
      std::thread([this] { work(); }).detach();
    } else {
      ready_.notify_one();
    }
  }

 private:
  void work() {
    ::pthread_setname_np(::pthread_self(), "weft-resolve");
    std::unique_lock lock(mutex_);
    for (;;) {
      ++idle_;
      ready_.wait(lock, [this] { return !jobs_.empty(); });
      --idle_;
      std::function<void()> job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  size_t threads_ = 0;
  size_t idle_ = 0;
};

class SystemResolver;

// What a helper thread reaches the resolver through: cleared when the resolver goes, so
// a late answer is dropped instead of being posted to a loop that may be gone.
struct Mailbox {
  std::mutex mutex;
  EventLoop* loop;           // Guarded by mutex; null once the resolver is gone.
  SystemResolver* resolver;  // Loop thread only.
};

class SystemResolver final : public CachingResolver {
 public:
  SystemResolver(EventLoop& loop, const SystemResolverOptions& options)
      : CachingResolver(loop, options.cache), ttl_(options.ttl), mailbox_(std::make_shared<Mailbox>()) {
    mailbox_->loop = &loop;
    mailbox_->resolver = this;
  }

  ~SystemResolver() override {
    std::lock_guard lock(mailbox_->mutex);
    mailbox_->loop = nullptr;
    mailbox_->resolver = nullptr;
  }

  void answer(const std::string& host, Answer a) { finish(host, std::move(a)); }

 private:
  void lookup(const std::string& host) override {
    Helpers::instance().run([mailbox = mailbox_, host, ttl = ttl_] {
      Answer a = query(host);
      a.ttl = ttl;
      std::lock_guard lock(mailbox->mutex);
      if (mailbox->loop == nullptr) return;
      mailbox->loop->post([mailbox, host, a = std::move(a)]() mutable {
        if (mailbox->resolver != nullptr) mailbox->resolver->answer(host, std::move(a));
      });
    });
  }

  static Answer query(const std::string& host) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    addrinfo* list = nullptr;
    Answer a;
    int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &list);
    if (rc != 0) {
      a.error = gai_error(rc);
      return a;
    }
    for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
      a.addresses.push_back(Address::from_sockaddr(ai->ai_addr, ai->ai_addrlen));
    }
    ::freeaddrinfo(list);
    return a;
  }

  Duration ttl_;
  std::shared_ptr<Mailbox> mailbox_;
};

}  // namespace
}  // namespace detail

ResolverFactory system_resolver(SystemResolverOptions options) {
  return [options](EventLoop& loop) -> std::unique_ptr<Resolver> {
    return std::make_unique<detail::SystemResolver>(loop, options);
  };
}

}  // namespace weft::dns
