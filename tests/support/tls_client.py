"""A TLS test client on Python's ssl module, driven by tests/integration/*tls* tests.

Usage: tls_client.py JSON where JSON has port, name (server_hostname), ca, and optionally
cert/key (a client certificate), alpn (a list), sizes (echo payload sizes, each checked by
SHA-256), connections (several in a row, each resuming the previous session), read_eof
(read until the server closes and report the SHA-256 of what came). Prints one JSON line.
"""
import hashlib
import json
import socket
import ssl
import sys


def echo(s, size):
    data = hashlib.shake_256(str(size).encode()).digest(size)
    got = bytearray()
    chunk = 65536
    for at in range(0, size, chunk):
        part = data[at:at + chunk]
        s.sendall(part)
        want = at + len(part)
        while len(got) < want:
            more = s.recv(want - len(got))
            if not more:
                return False
            got += more
    return hashlib.sha256(got).digest() == hashlib.sha256(data).digest()


def main():
    args = json.loads(sys.argv[1])
    ctx = ssl.create_default_context(cafile=args["ca"])
    if args.get("cert"):
        ctx.load_cert_chain(args["cert"], args["key"])
    if args.get("alpn"):
        ctx.set_alpn_protocols(args["alpn"])
    out = {"reused": [], "echo": []}
    session = None
    try:
        for _ in range(args.get("connections", 1)):
            with socket.create_connection(("127.0.0.1", args["port"]), timeout=20) as raw:
                s = ctx.wrap_socket(raw, server_hostname=args["name"], session=session)
                out["alpn"] = s.selected_alpn_protocol()
                out["version"] = s.version()
                out["peer_names"] = [v for _, v in s.getpeercert().get("subjectAltName", ())]
                out["reused"].append(s.session_reused)
                for size in args.get("sizes", []):
                    out["echo"].append(echo(s, size))
                if args.get("read_eof"):
                    got = bytearray()
                    while True:
                        more = s.recv(1 << 20)
                        if not more:
                            break
                        got += more
                    out["eof_sha256"] = hashlib.sha256(got).hexdigest()
                    out["eof_bytes"] = len(got)
                session = s.session
                s.unwrap()  # Our close_notify, then the server's.
                out["clean_close"] = True
    except (OSError, ssl.SSLError) as e:
        out["error"] = "%s: %s" % (type(e).__name__, e)
    print(json.dumps(out))


main()
