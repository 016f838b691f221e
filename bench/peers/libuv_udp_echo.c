/* libuv UDP echo: one loop, uv_udp_recv_start, and uv_udp_try_send back to the sender
 * (falling back to a queued uv_udp_send when the socket is full). Usage:
 * libuv_udp_echo PORT. Stops on SIGTERM/SIGINT. */
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

static uv_udp_t g_sock;
static char g_slab[65536];

typedef struct {
  uv_udp_send_t req;
  char data[];
} send_req_t;

static void on_alloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf) {
  (void)h;
  (void)suggested;
  buf->base = g_slab;
  buf->len = sizeof g_slab;
}

static void on_sent(uv_udp_send_t* req, int status) {
  (void)status;
  free(req);
}

static void on_recv(uv_udp_t* s, ssize_t n, const uv_buf_t* buf, const struct sockaddr* from, unsigned flags) {
  (void)flags;
  if (n < 0 || from == NULL) return;
  uv_buf_t out = uv_buf_init(buf->base, (unsigned)n);
  if (uv_udp_try_send(s, &out, 1, from) >= 0) return;
  send_req_t* req = malloc(sizeof *req + (size_t)n);
  if (req == NULL) return;
  memcpy(req->data, buf->base, (size_t)n);
  out = uv_buf_init(req->data, (unsigned)n);
  uv_udp_send(&req->req, s, &out, 1, from, on_sent);
}

static void on_signal(uv_signal_t* h, int signum) {
  (void)signum;
  uv_stop(h->loop);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: libuv_udp_echo PORT\n");
    return 2;
  }
  uv_loop_t* loop = uv_default_loop();
  struct sockaddr_in a;
  uv_ip4_addr("127.0.0.1", atoi(argv[1]), &a);
  uv_udp_init(loop, &g_sock);
  if (uv_udp_bind(&g_sock, (const struct sockaddr*)&a, 0) != 0) {
    fprintf(stderr, "bind failed\n");
    return 1;
  }
  uv_udp_recv_start(&g_sock, on_alloc, on_recv);
  uv_signal_t term, intr;
  uv_signal_init(loop, &term);
  uv_signal_start(&term, on_signal, SIGTERM);
  uv_signal_init(loop, &intr);
  uv_signal_start(&intr, on_signal, SIGINT);
  uv_run(loop, UV_RUN_DEFAULT);
  return 0;
}
