"""Holds N idle keep-alive HTTP connections to 127.0.0.1:PORT for bench/http/run.sh.

Each connection sends one GET / and reads its whole answer (the plain-text greeting), then
stays open and silent. Prints "ready N" once all have been answered, then waits for its
standard input to close and exits. Usage: idle_conns.py PORT N [CA]; with CA (a PEM file)
the connections are HTTPS, each handshake done before its request.
"""
import selectors
import socket
import ssl
import sys

port, count = int(sys.argv[1]), int(sys.argv[2])
tls = ssl.create_default_context(cafile=sys.argv[3]) if len(sys.argv) > 3 else None
request = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n"
sel = selectors.DefaultSelector()
conns = []
pending = 0
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    if tls:
        s = tls.wrap_socket(s, server_hostname="localhost")
    s.setblocking(False)
    s.sendall(request)
    conns.append(s)
    sel.register(s, selectors.EVENT_READ, bytearray())
    pending += 1
    # Keep the number in flight bounded, so that the backlog never overflows.
    while pending >= 200 or (len(conns) == count and pending):
        for key, _ in sel.select(timeout=10):
            try:
                data = key.fileobj.recv(4096)
            except ssl.SSLWantReadError:  # A TLS record without application data (a ticket).
                continue
            if not data:
                sys.exit("connection closed by the server")
            key.data.extend(data)
            if key.data.endswith(b"Hello, World!\n"):
                sel.unregister(key.fileobj)
                pending -= 1
print("ready", len(conns), flush=True)
sys.stdin.read()
