// An HTTP/1.1 server: a greeting, a route parameter, a JSON body echoed back, and an
// answer computed on a worker thread and sent later.
//
//   build/bin/example_http_hello tcp://127.0.0.1:8080    then:
//   curl localhost:8080/hello/ada
//   curl -d '{"a":1}' -H 'Content-Type: application/json' localhost:8080/echo
//   curl localhost:8080/slow

#include <csignal>
#include <cstdio>
#include <exception>
#include <string>
#include <thread>

#include "weft/http/server.h"

using weft::http::Request;
using weft::http::Response;

int main(int argc, char** argv) {
  const char* address = argc > 1 ? argv[1] : "tcp://127.0.0.1:8080";
  try {
    weft::http::Router router;
    router.get("/", [](Request&, Response& res) { res.send(200, "Hello, World!\n"); })
        .get("/hello/:name",
             [](Request& req, Response& res) {
               res.content_type("text/plain; charset=utf-8")
                   .send(200, "Hello, " + std::string(req.param("name")) + "!\n");
             })
        .post("/echo",
              [](Request& req, Response& res) {
                // The body is collected whole (up to Limits::max_body) before the handler runs.
                const std::string_view type = req.header("content-type");  // Any case.
                res.content_type(type.empty() ? "application/octet-stream" : type).send(200, req.body());
              })
        .get("/slow", [](Request&, Response& res) {
          // Answered from another thread: the connection reads nothing more meanwhile, so
          // pipelined responses keep their order.
          std::thread([later = res.defer()]() mutable {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            later.send(200, "done after 100 ms\n", "text/plain");
          }).detach();
        });

    weft::http::Options options;
    options.net.loops = 2;
    options.net.stop_signals = {SIGINT, SIGTERM};  // Ctrl-C finishes responses in progress, then stops.
    weft::http::Server server(router, options);
    server.listen(address);
    std::printf("http_hello on %s\n", server.address().to_string().c_str());
    std::fflush(stdout);
    server.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "http_hello: %s\n", e.what());
    return 1;
  }
}
