#include "net/dialer.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <utility>

#include "core/socket.h"
#include "net/loop_context.h"
#include "transport/plain_transport.h"
#include "weft/core/detail/loop_access.h"
#include "weft/core/error.h"
#include "weft/core/log.h"

namespace weft::detail {
namespace {

std::error_code errno_code(int e) {
  return {e, std::system_category()};
}

void call_done(const Dialed& done, Conn* conn, std::error_code error) {
  if (!done) return;
  try {
    done(conn, error);
  } catch (const std::exception& e) {
    WEFT_LOG(LogLevel::error, "a dial's completion threw: %s", e.what());
  } catch (...) {
    WEFT_LOG(LogLevel::error, "a dial's completion threw a non-standard exception");
  }
}

}  // namespace

// A dial's state while it connects, kept in its connection's attachment slot (free until
// on_open): the connection itself stays within its size budget.
struct Dialer::State final : Conn::Attachment {
  Dialed done;
  std::string host;
  uint16_t port = 0;
  std::vector<Address> addresses;
  size_t next = 0;              // The next address to try.
  std::error_code first_error;  // Of the first address that failed.
  std::shared_ptr<DialToken> token;
};

Dialer::Dialer(LoopContext& ctx, const ClientOptions& options, const Address& local)
    : ctx_(ctx), options_(options), local_(local) {}

Dialer::~Dialer() = default;

Dialer::State& Dialer::state_of(Conn& conn) {
  return *static_cast<State*>(conn.attachment_.get());
}

ConnHandle Dialer::start(DialTarget target, Dialed done, void* context, std::shared_ptr<DialToken> token) {
  if (ctx_.shutting_down()) {
    if (token) {
      std::lock_guard lock(token->mutex);
      token->ended = true;
    }
    ctx_.loop.post([done = std::move(done)] { call_done(done, nullptr, make_error_code(Errc::shutdown)); });
    return {};
  }
  uint32_t slot = 0;
  uint32_t generation = 0;
  void* storage = ctx_.table.reserve(slot, generation);
  Conn* conn = new (storage) Conn(ctx_, -1, slot, target.address, plain_transport());
  conn->life_ = Conn::Life::connecting;
  conn->handshaking_ = true;
  conn->set_context(context);
  auto state = std::make_unique<State>();
  state->done = std::move(done);
  state->host = std::move(target.host);
  state->port = target.port;
  state->token = std::move(token);
  State& s = *state;
  conn->attachment_ = std::move(state);
  ctx_.connections.fetch_add(1, std::memory_order_relaxed);
  ctx_.stats.accepted.add();  // Like an accepted one, it is counted again in `closed` when it ends.
  ctx_.connect_add(*conn, options_.connect_timeout);
  ConnHandle handle = conn->handle();

  if (s.token) {
    std::lock_guard lock(s.token->mutex);
    if (s.token->cancelled) {
      conn->force_close(CloseReason::local, std::make_error_code(std::errc::operation_canceled));
      return handle;
    }
    s.token->conn = handle;
  }
  if (!target.needs_resolving()) {
    s.addresses.push_back(target.address);
    attempt(*conn);
    return handle;
  }
  if (resolver_ == nullptr) {
    const dns::ResolverFactory& make = options_.resolver ? options_.resolver : dns::default_resolver();
    resolver_ = make(ctx_.loop);
  }
  resolver_->resolve(s.host, s.port, [this, slot, generation](std::error_code error, const std::vector<Address>& a) {
    resolved(slot, generation, error, a);
  });
  return handle;
}

void Dialer::resolved(uint32_t slot, uint32_t generation, std::error_code error, const std::vector<Address>& a) {
  Conn* conn = ctx_.table.find(slot, generation);
  if (conn == nullptr || conn->life_ != Conn::Life::connecting) return;  // Cancelled meanwhile.
  if (error) {
    conn->force_close(CloseReason::error, error);
    return;
  }
  state_of(*conn).addresses = a;
  attempt(*conn);
}

// Creates a socket for `to` with the client's options, bound to the local address if one
// is set; -1 and the error if that fails.
int Dialer::open_socket(const Address& to, std::error_code& error) const {
  int fd = ::socket(to.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = errno_code(errno);
    return -1;
  }
  if (!to.is_unix()) {
    if (options_.tcp_nodelay) set_nodelay(fd, true);
    if (options_.keep_alive) set_keep_alive(fd, true);
  }
  // Before connect(2), so that the window scale the handshake announces fits them.
  set_buffer_sizes(fd, options_.receive_buffer, options_.send_buffer);
  if (local_.valid() && !to.is_unix()) {
    if (local_.family() != to.family()) {
      ::close(fd);
      error = std::make_error_code(std::errc::address_family_not_supported);
      return -1;
    }
    if (local_.port() == 0) {
      // ip(7): the port is picked at connect time, so the same local port can serve
      // connections to different peers instead of one bind each exhausting the range.
      int one = 1;
      ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    }
    if (::bind(fd, local_.sockaddr_ptr(), local_.length()) < 0) {
      error = errno_code(errno);
      ::close(fd);
      return -1;
    }
  }
  return fd;
}

// Connects to the next address; once every address has failed, the dial fails.
void Dialer::attempt(Conn& conn) {
  State& s = state_of(conn);
  while (s.next < s.addresses.size()) {
    const Address& to = s.addresses[s.next++];
    std::error_code error;
    int fd = open_socket(to, error);
    if (fd >= 0) {
      // connect(2): EINPROGRESS, then the socket turns writable when the connect ends
      // either way, and SO_ERROR says which. A Unix socket usually connects at once; it
      // is writable then too, so every dial ends through ready().
      if (::connect(fd, to.sockaddr_ptr(), to.length()) == 0 || errno == EINPROGRESS) {
        if (std::error_code ec = LoopAccess(ctx_.loop).add_io(fd, kWritable, &conn); !ec) {
          conn.fd_ = fd;
          conn.interest_ = kWritable;
          conn.set_remote(to);
          return;
        } else {
          error = ec;
        }
      } else {
        error = errno_code(errno);
      }
      ::close(fd);
    }
    if (!s.first_error) s.first_error = error;
  }
  conn.force_close(CloseReason::error, s.first_error ? s.first_error : make_error_code(dns::Errc::no_address));
}

void Dialer::ready(Conn& conn, uint32_t) {
  std::error_code error = socket_error(conn.fd_);
  if (error) {
    State& s = state_of(conn);
    if (!s.first_error) s.first_error = error;
    LoopAccess(ctx_.loop).remove_io(conn.fd_);
    ::close(conn.fd_);
    conn.fd_ = -1;
    conn.interest_ = 0;
    attempt(conn);
    return;
  }
  ctx_.connect_remove(conn);
  if (options_.transport != nullptr) {
    Transport* transport = options_.transport->make_transport(
        TransportSetup{conn.fd_, state_of(conn).host, LoopAccess(ctx_.loop).edge_triggered()});
    if (transport == nullptr) {  // The factory has logged why.
      conn.force_close(CloseReason::error, std::make_error_code(std::errc::protocol_error));
      return;
    }
    conn.transport_ = transport;
  }
  conn.connected();
}

void Dialer::finish(State& s, Conn* conn, std::error_code error) {
  if (s.token) {
    std::lock_guard lock(s.token->mutex);
    s.token->ended = true;
    s.token->conn = {};
  }
  call_done(s.done, conn, error);
}

void Dialer::opened(Conn& conn) {
  // The dial's state leaves the attachment slot before on_open, which may fill it.
  std::unique_ptr<Conn::Attachment> kept = std::move(conn.attachment_);
  State& s = *static_cast<State*>(kept.get());
  try {
    ctx_.handler.on_open(conn);
  } catch (const std::exception& e) {
    conn.handler_threw("on_open", e.what());
  } catch (...) {
    conn.handler_threw("on_open", "non-standard exception");
  }
  finish(s, &conn, {});
}

void Dialer::failed(Conn& conn, std::error_code error) {
  std::unique_ptr<Conn::Attachment> kept = std::move(conn.attachment_);
  if (kept == nullptr) return;
  // abort() closes without a code: a cancellation like close().
  finish(*static_cast<State*>(kept.get()), nullptr,
         error ? error : std::make_error_code(std::errc::operation_canceled));
}

}  // namespace weft::detail
