// Boost.Asio echo server: one io_context per thread, each with its own
// SO_REUSEPORT acceptor on 127.0.0.1. Usage: asio_echo PORT THREADS
//
// The classic asio session: async_read_some into the session's buffer, then
// async_write of exactly what was read, then read again. Reading waits for the
// write to complete, so a slow reader throttles its own connection.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <utility>  // before asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <vector>

#include <boost/asio.hpp>

namespace asio = boost::asio;
using asio::ip::tcp;
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket socket) : socket_(std::move(socket)) {}

  void start() { read(); }

 private:
  void read() {
    socket_.async_read_some(asio::buffer(data_),
                            [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                              if (!ec) self->write(n);
                            });
  }

  void write(std::size_t n) {
    asio::async_write(socket_, asio::buffer(data_, n),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                        if (!ec) self->read();
                      });
  }

  tcp::socket socket_;
  std::array<char, 64 * 1024> data_;
};

class Server {
 public:
  Server(asio::io_context& io, unsigned short port) : acceptor_(io) {
    const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.set_option(reuse_port(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    accept();
  }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (!ec) {
        socket.set_option(tcp::no_delay(true), ec);
        std::make_shared<Session>(std::move(socket))->start();
      }
      accept();
    });
  }

  tcp::acceptor acceptor_;
};

void serve(unsigned short port) {
  asio::io_context io(1);  // concurrency hint 1: this context is used by one thread only
  Server server(io, port);
  io.run();
}

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s PORT THREADS\n", argv[0]);
    return 2;
  }
  const int port = std::atoi(argv[1]);
  const int threads = std::atoi(argv[2]);
  if (port <= 0 || port > 65535 || threads <= 0) {
    std::fprintf(stderr, "bad PORT or THREADS\n");
    return 2;
  }
  try {
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back(serve, static_cast<unsigned short>(port));
    serve(static_cast<unsigned short>(port));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "asio_echo: %s\n", e.what());
    return 1;
  }
}
