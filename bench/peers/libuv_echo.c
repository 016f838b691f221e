/* libuv echo server: one uv_loop per thread; with THREADS > 1 each loop has its
 * own SO_REUSEPORT listener on 127.0.0.1. Usage: libuv_echo PORT THREADS
 *
 * Reads land in a malloc'd buffer (alloc_cb); uv_try_write sends what it can
 * at once and uv_write queues the rest. Reading pauses while more than
 * kHighWater bytes wait to be written, so a slow reader cannot grow memory
 * without bound and no byte is dropped. */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

enum { kHighWater = 1 << 20 };

typedef struct {
  uv_tcp_t tcp; /* first: the handle pointer is the client pointer */
  int paused;
} client_t;

typedef struct {
  uv_write_t req;
  char* block; /* malloc'd by alloc_cb */
} write_req_t;

static int g_port;
static int g_threads;

static void on_alloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf) {
  (void)handle;
  buf->base = malloc(suggested);
  buf->len = buf->base ? suggested : 0;
}

static void on_close(uv_handle_t* handle) {
  free(handle);
}

static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);

static void on_shutdown(uv_shutdown_t* req, int status) {
  (void)status;
  if (!uv_is_closing((uv_handle_t*)req->handle)) uv_close((uv_handle_t*)req->handle, on_close);
  free(req);
}

static void on_written(uv_write_t* req, int status) {
  write_req_t* wr = (write_req_t*)req;
  client_t* c = (client_t*)req->handle;
  free(wr->block);
  free(wr);
  if (status < 0) {
    if (!uv_is_closing((uv_handle_t*)c)) uv_close((uv_handle_t*)c, on_close);
    return;
  }
  if (c->paused && c->tcp.write_queue_size < kHighWater / 2) {
    c->paused = 0;
    uv_read_start((uv_stream_t*)c, on_alloc, on_read);
  }
}

static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  client_t* c = (client_t*)stream;
  if (nread > 0) {
    uv_buf_t out = uv_buf_init(buf->base, (unsigned int)nread);
    int n = uv_try_write(stream, &out, 1);
    if (n == nread) {
      free(buf->base);
      return;
    }
    if (n < 0 && n != UV_EAGAIN) {
      free(buf->base);
      uv_close((uv_handle_t*)stream, on_close);
      return;
    }
    if (n < 0) n = 0;
    write_req_t* wr = malloc(sizeof *wr);
    wr->block = buf->base;
    uv_buf_t rest = uv_buf_init(buf->base + n, (unsigned int)(nread - n));
    if (uv_write(&wr->req, stream, &rest, 1, on_written) != 0) {
      free(wr->block);
      free(wr);
      uv_close((uv_handle_t*)stream, on_close);
      return;
    }
    if (stream->write_queue_size > kHighWater) {
      c->paused = 1;
      uv_read_stop(stream);
    }
    return;
  }
  free(buf->base);
  if (nread == UV_EOF) {
    /* Half-closed by the client: finish the queued echo, then close. */
    uv_shutdown_t* req = malloc(sizeof *req);
    if (uv_shutdown(req, stream, on_shutdown) == 0) return;
    free(req);
  }
  if (nread < 0) uv_close((uv_handle_t*)stream, on_close);
}

static void on_connection(uv_stream_t* server, int status) {
  if (status < 0) return;
  client_t* c = calloc(1, sizeof *c);
  uv_tcp_init(server->loop, &c->tcp);
  if (uv_accept(server, (uv_stream_t*)&c->tcp) != 0) {
    uv_close((uv_handle_t*)&c->tcp, on_close);
    return;
  }
  uv_tcp_nodelay(&c->tcp, 1);
  uv_read_start((uv_stream_t*)&c->tcp, on_alloc, on_read);
}

static int bind_listener(uv_loop_t* loop, uv_tcp_t* server) {
  struct sockaddr_in addr;
  uv_ip4_addr("127.0.0.1", g_port, &addr);
  uv_tcp_init(loop, server);
  if (g_threads == 1) return uv_tcp_bind(server, (const struct sockaddr*)&addr, 0);
  /* libuv 1.44 has no UV_TCP_REUSEPORT: bind the socket ourselves. */
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (bind(fd, (const struct sockaddr*)&addr, sizeof addr) != 0) return uv_translate_sys_error(errno);
  return uv_tcp_open(server, fd);
}

static void* serve(void* arg) {
  (void)arg;
  uv_loop_t loop;
  uv_tcp_t server;
  uv_loop_init(&loop);
  int rc = bind_listener(&loop, &server);
  if (rc == 0) rc = uv_listen((uv_stream_t*)&server, SOMAXCONN, on_connection);
  if (rc != 0) {
    fprintf(stderr, "listen on 127.0.0.1:%d: %s\n", g_port, uv_strerror(rc));
    exit(1);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s PORT THREADS\n", argv[0]);
    return 2;
  }
  g_port = atoi(argv[1]);
  g_threads = atoi(argv[2]);
  if (g_port <= 0 || g_port > 65535 || g_threads <= 0) {
    fprintf(stderr, "bad PORT or THREADS\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  pthread_t tid;
  for (int i = 1; i < g_threads; ++i) pthread_create(&tid, NULL, serve, NULL);
  serve(NULL);
  return 0;
}
