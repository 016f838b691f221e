#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>

#include "core/socket.h"
#include "net/signal_watcher.h"
#include "weft/core/loop_group.h"
#include "weft/net/udp.h"

namespace weft {
namespace detail {

namespace {

std::error_code last_error() { return {errno, std::system_category()}; }

const UdpOptions& checked(const UdpOptions& o) {
  auto fail = [](const char* what) { throw std::invalid_argument(std::string("UdpOptions: ") + what); };
  if (o.loops == 0) fail("loops must be at least 1");
  if (o.batch == 0 || o.batch > 1024) fail("batch must be from 1 to 1024");
  if (o.max_datagram == 0 || o.max_datagram > 65536) fail("max_datagram must be from 1 to 65536");
  return o;
}

// A non-blocking datagram socket bound to address (or, with connect, connected to it),
// reporting ICMP errors (IP_RECVERR).
int open_datagram(const Address& address, bool reuse_port, bool connect, const UdpOptions& o, std::error_code& ec) {
  int fd = ::socket(address.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ec = last_error();
    return -1;
  }
  int one = 1;
  if (!address.is_unix()) {
    if (reuse_port) ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (address.family() == AF_INET6) {
      ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
      ::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof one);
    } else {
      ::setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof one);
    }
  } else if (connect) {
    // unix(7) autobind: an abstract name the kernel picks, so the peer can answer.
    sa_family_t family = AF_UNIX;
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&family), sizeof family) < 0) {
      ec = last_error();
      ::close(fd);
      return -1;
    }
  } else if (address.host()[0] != '@') {
    ::unlink(address.host().c_str());  // A datagram socket file left from an earlier run.
  }
  set_buffer_sizes(fd, o.receive_buffer, o.send_buffer);
  int rc = connect ? ::connect(fd, address.sockaddr_ptr(), address.length())
                   : ::bind(fd, address.sockaddr_ptr(), address.length());
  if (rc < 0) {
    ec = last_error();
    ::close(fd);
    return -1;
  }
  ec.clear();
  return fd;
}

}  // namespace

class UdpServerCore {
 public:
  UdpServerCore(DatagramHandler& h, const UdpOptions& o)
      : handler(h), options(checked(o)), loops(o.loops, LoopOptions{}, "weft-udp") {}

  ~UdpServerCore() {
    stop();
    wait();
    sockets.clear();
  }

  void listen(std::string_view url) {
    if (started) throw std::logic_error("UdpServer::listen must be called before start()");
    Address address = Address::parse(url);
    if (!address.is_datagram()) {
      throw std::invalid_argument("UdpServer::listen: " + std::string(url) + " is not udp:// or unixgram://");
    }
    size_t count = options.reuse_port && !address.is_unix() ? loops.size() : 1;
    Address bound;
    for (size_t i = 0; i < count; ++i) {
      std::error_code ec;
      // With reuse_port and port 0, the first socket picks the port and the rest share it.
      int fd = open_datagram(i == 0 ? address : bound, options.reuse_port, false, options, ec);
      if (fd < 0) throw std::system_error(ec, "bind " + std::string(url));
      if (i == 0) {
        bound = address.is_unix() ? address : Address::from_sockaddr(local_address(fd).sockaddr_ptr(),
                                                                      local_address(fd).length(), true);
        addresses.push_back(bound);
      }
      sockets.emplace_back(new UdpSocket(loops.loop(i), fd, handler, options, bound));
      if (std::error_code reg = sockets.back()->open()) throw std::system_error(reg, "register " + std::string(url));
    }
  }

  UdpSocket& dial(std::string_view url, size_t loop) {
    if (started) throw std::logic_error("UdpServer::dial must be called before start()");
    if (loop >= loops.size()) throw std::invalid_argument("UdpServer::dial: no loop " + std::to_string(loop));
    Address address = Address::parse(url);
    if (!address.is_datagram()) {
      throw std::invalid_argument("UdpServer::dial: " + std::string(url) + " is not udp:// or unixgram://");
    }
    std::error_code ec;
    int fd = open_datagram(address, false, true, options, ec);
    if (fd < 0) throw std::system_error(ec, "connect " + std::string(url));
    Address local = local_address(fd);
    sockets.emplace_back(new UdpSocket(loops.loop(loop), fd, handler, options,
                                       Address::from_sockaddr(local.sockaddr_ptr(), local.length(), true)));
    UdpSocket& socket = *sockets.back();
    socket.peer_ = address;
    if (std::error_code reg = socket.open()) throw std::system_error(reg, "register " + std::string(url));
    return socket;
  }

  void start() {
    if (started) return;
    started = true;
    if (!options.stop_signals.empty()) {
      signals = std::make_unique<SignalWatcher>(loops.loop(0), options.stop_signals, [this](int) { stop(); });
      signals->start();
    }
    loops.start();
  }

  void stop() {
    std::lock_guard lock(mutex);
    stop_requested = true;
    cv.notify_all();
  }

  void wait() {
    {
      std::unique_lock lock(mutex);
      if (!started) return;
      cv.wait(lock, [this] { return stop_requested; });
    }
    loops.stop();
  }

  DatagramHandler& handler;
  UdpOptions options;
  LoopGroup loops;
  std::vector<std::unique_ptr<UdpSocket>> sockets;
  std::vector<Address> addresses;
  std::unique_ptr<SignalWatcher> signals;
  bool started = false;
  std::mutex mutex;
  std::condition_variable cv;
  bool stop_requested = false;  // Guarded by mutex.
};

}  // namespace detail

UdpServer::UdpServer(DatagramHandler& handler, UdpOptions options)
    : core_(std::make_unique<detail::UdpServerCore>(handler, options)) {}
UdpServer::~UdpServer() = default;

UdpServer& UdpServer::listen(std::string_view url) {
  core_->listen(url);
  return *this;
}
UdpSocket& UdpServer::dial(std::string_view url, size_t loop) { return core_->dial(url, loop); }
void UdpServer::start() { core_->start(); }
void UdpServer::run() {
  core_->start();
  core_->wait();
}
void UdpServer::stop() { core_->stop(); }
void UdpServer::wait() { core_->wait(); }
const Address& UdpServer::address(size_t i) const { return core_->addresses.at(i); }
size_t UdpServer::loop_count() const { return core_->loops.size(); }
EventLoop& UdpServer::loop(size_t i) { return core_->loops.loop(i); }
size_t UdpServer::socket_count() const { return core_->sockets.size(); }
UdpSocket& UdpServer::socket(size_t i) { return *core_->sockets.at(i); }

}  // namespace weft
