// The HTTP server against real clients: curl (keep-alive, chunked upload, 100-continue,
// HEAD), Python's http.client (keep-alive, chunked both ways, HEAD, errors), Node's http
// (one keep-alive socket, chunked both ways), and a short wrk run that must end without
// errors. The clients run as child processes with a deadline; a missing client fails the
// test (the make targets install them).

#include <gtest/gtest.h>

#include <string>

#include "command.h"
#include "http_support.h"
#include "weft/http/router.h"

namespace weft::test {
namespace {

using http::Request;
using http::Response;

http::Router make_router() {
  http::Router router;
  router.get("/", [](Request&, Response& res) { res.send(200, "hello\n"); })
      .get("/users/:id", [](Request& req, Response& res) { res.send(200, "user " + std::string(req.param("id"))); })
      .any("/echo", [](Request& req, Response& res) { res.send(200, req.body()); })
      .get("/stream", [](Request&, Response& res) {
        res.begin();
        for (int i = 0; i < 3; ++i) res.write("part" + std::to_string(i) + ";");
        res.end();
      });
  return router;
}

std::string url(const HttpFixture& server, const std::string& path) {
  return "http://127.0.0.1:" + std::to_string(server.address().port()) + path;
}

std::string pattern(size_t size) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>('a' + (i * 7) % 26);
  return s;
}

TEST(HttpClients, Curl) {
  ASSERT_TRUE(have_program("curl")) << "curl is missing (make test installs it)";
  http::Router router = make_router();
  HttpFixture server(router);
  {
    // Two URLs on one connection.
    CommandResult r = run_command({"curl", "-sS", "-v", "--max-time", "10", url(server, "/"), url(server, "/users/5")});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "hello\nuser 5");
    EXPECT_NE(r.err.find("Re-using existing connection"), std::string::npos) << r.err;
  }
  {
    const std::string body = pattern(200 * 1024);
    CommandResult r = run_command({"curl", "-sS", "--max-time", "10", "-H", "Transfer-Encoding: chunked",
                                   "--data-binary", "@-", url(server, "/echo")},
                                  body);
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out.size(), body.size());
    EXPECT_TRUE(r.out == body);
  }
  {
    const std::string body = pattern(64 * 1024);
    CommandResult r = run_command({"curl", "-sS", "-v", "--max-time", "10", "-H", "Expect: 100-continue",
                                   "--data-binary", "@-", url(server, "/echo")},
                                  body);
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_NE(r.err.find("< HTTP/1.1 100 Continue"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out == body);
  }
  {
    CommandResult r = run_command({"curl", "-sS", "-I", "--max-time", "10", url(server, "/")});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("Content-Length: 6\r\n"), std::string::npos) << r.out;
  }
  {
    CommandResult r = run_command({"curl", "-sS", "--max-time", "10", url(server, "/stream")});
    ASSERT_EQ(r.exit_code, 0) << r.describe();
    EXPECT_EQ(r.out, "part0;part1;part2;");
  }
}

TEST(HttpClients, PythonHttpClient) {
  ASSERT_TRUE(have_program("/usr/bin/python3")) << "/usr/bin/python3 is missing";
  http::Router router = make_router();
  HttpFixture server(router);
  const std::string script = R"(
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
out = []
def ask(method, path, **kw):
    c.request(method, path, **kw)
    r = c.getresponse()
    return r, r.read()
c.connect()
first = c.sock
r, b = ask("GET", "/"); out.append(f"{r.status} {b!r}")
r, b = ask("POST", "/echo", body=b"x" * 70000); out.append(f"{r.status} {len(b)} {b == b'x' * 70000}")
def pieces():
    yield b"abc"
    yield b"defg"
r, b = ask("PUT", "/echo", body=pieces(), encode_chunked=True); out.append(f"{r.status} {b!r}")
r, b = ask("HEAD", "/"); out.append(f"{r.status} {r.getheader('Content-Length')} {b!r}")
r, b = ask("GET", "/stream"); out.append(f"{r.status} {r.getheader('Transfer-Encoding')} {b!r}")
r, b = ask("GET", "/missing"); out.append(f"{r.status} {b!r}")
r, b = ask("DELETE", "/"); out.append(f"{r.status} {r.getheader('Allow')}")
out.append(f"same connection {c.sock is first}")
print("\n".join(out))
)";
  CommandResult r = run_command({"/usr/bin/python3", "-c", script, std::to_string(server.address().port())});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out,
            "200 b'hello\\n'\n"
            "200 70000 True\n"
            "200 b'abcdefg'\n"
            "200 6 b''\n"
            "200 chunked b'part0;part1;part2;'\n"
            "404 b'404 Not Found\\n'\n"
            "405 GET, HEAD\n"
            "same connection True\n");
}

TEST(HttpClients, NodeHttp) {
  ASSERT_TRUE(have_program("node")) << "node is missing";
  http::Router router = make_router();
  HttpFixture server(router);
  // One keep-alive socket for every request (an agent with a single socket); a chunked
  // upload (no Content-Length), a chunked download and a 404.
  const std::string script = R"(
const http = require('http');
const port = Number(process.argv[1]);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const sockets = new Set();
function ask(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent }, (res) => {
      sockets.add(res.socket);
      let data = '';
      res.setEncoding('latin1');
      res.on('data', (d) => { data += d; });
      res.on('end', () => resolve(`${res.statusCode} ${res.headers['transfer-encoding'] || '-'} ${data.length} ${data.slice(0, 20)}`));
    });
    req.on('error', reject);
    if (body) { req.write(body.slice(0, 5)); req.write(body.slice(5)); }
    req.end();
  });
}
(async () => {
  const out = [];
  out.push(await ask('GET', '/users/7'));
  out.push(await ask('POST', '/echo', 'x'.repeat(100000)));
  out.push(await ask('GET', '/stream'));
  out.push(await ask('GET', '/missing'));
  out.push(`sockets ${sockets.size}`);
  console.log(out.join('\n'));
  agent.destroy();
})().catch((e) => { console.error(e); process.exit(1); });
)";
  CommandResult r = run_command({"node", "-e", script, std::to_string(server.address().port())});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out,
            "200 - 6 user 7\n"
            "200 - 100000 xxxxxxxxxxxxxxxxxxxx\n"
            "200 chunked 18 part0;part1;part2;\n"
            "404 - 14 404 Not Found\n\n"
            "sockets 1\n");
}

TEST(HttpClients, ShortWrkRunWithoutErrors) {
  ASSERT_TRUE(have_program("wrk")) << "wrk is missing (make test installs it)";
  http::Router router = make_router();
  http::Options options;
  options.net.loops = 1;
  HttpFixture server(router, options);
  CommandResult r = run_command({"wrk", "-t1", "-c32", "-d1s", url(server, "/")});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out.find("Socket errors"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Non-2xx"), std::string::npos) << r.out;
  const size_t at = r.out.find(" requests in ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const size_t start = r.out.rfind(' ', at - 1);
  EXPECT_GT(std::stoul(r.out.substr(start + 1, at - start - 1)), 100u) << r.out;
}

}  // namespace
}  // namespace weft::test
