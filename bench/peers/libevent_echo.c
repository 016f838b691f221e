/* libevent echo server: bufferevents, one event_base per thread, each with its
 * own SO_REUSEPORT evconnlistener on 127.0.0.1. Usage: libevent_echo PORT THREADS
 *
 * The read callback moves the input evbuffer into the output evbuffer (no
 * copy). Reading is disabled while more than kHighWater bytes wait to be
 * written and re-enabled from the write callback once the output drains. */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

enum { kHighWater = 1 << 20 };

static int g_port;

static void on_read(struct bufferevent* bev, void* ctx) {
  (void)ctx;
  struct evbuffer* out = bufferevent_get_output(bev);
  evbuffer_add_buffer(out, bufferevent_get_input(bev));
  if (evbuffer_get_length(out) > kHighWater) bufferevent_disable(bev, EV_READ);
}

/* Runs when the output buffer has drained (write low watermark 0). */
static void on_write(struct bufferevent* bev, void* ctx) {
  (void)ctx;
  if (!(bufferevent_get_enabled(bev) & EV_READ)) bufferevent_enable(bev, EV_READ);
}

/* Write callback after the client half-closed: the echo has drained. */
static void on_drained(struct bufferevent* bev, void* ctx) {
  (void)ctx;
  bufferevent_free(bev);
}

static void on_event(struct bufferevent* bev, short events, void* ctx) {
  (void)ctx;
  if ((events & BEV_EVENT_EOF) && !(events & BEV_EVENT_ERROR) && evbuffer_get_length(bufferevent_get_output(bev)) > 0) {
    bufferevent_disable(bev, EV_READ);
    bufferevent_setcb(bev, NULL, on_drained, on_event, NULL);
    return;
  }
  if (events & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) bufferevent_free(bev);
}

static void on_accept(struct evconnlistener* listener, evutil_socket_t fd, struct sockaddr* sa, int socklen,
                      void* ctx) {
  (void)sa;
  (void)socklen;
  (void)ctx;
  struct event_base* base = evconnlistener_get_base(listener);
  struct bufferevent* bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
  if (!bev) {
    evutil_closesocket(fd);
    return;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  bufferevent_setcb(bev, on_read, on_write, on_event, NULL);
  bufferevent_enable(bev, EV_READ | EV_WRITE);
}

static void* serve(void* arg) {
  (void)arg;
  struct event_base* base = event_base_new();
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)g_port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  struct evconnlistener* listener = evconnlistener_new_bind(
      base, on_accept, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_REUSEABLE | LEV_OPT_REUSEABLE_PORT,
      SOMAXCONN, (struct sockaddr*)&addr, sizeof addr);
  if (!base || !listener) {
    perror("evconnlistener_new_bind");
    exit(1);
  }
  event_base_dispatch(base);
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s PORT THREADS\n", argv[0]);
    return 2;
  }
  g_port = atoi(argv[1]);
  int threads = atoi(argv[2]);
  if (g_port <= 0 || g_port > 65535 || threads <= 0) {
    fprintf(stderr, "bad PORT or THREADS\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  pthread_t tid;
  for (int i = 1; i < threads; ++i) pthread_create(&tid, NULL, serve, NULL);
  serve(NULL);
  return 0;
}
