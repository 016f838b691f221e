# A WebSocket client for weft's tests, on Python's websockets (Debian python3-websockets).
# Usage: ws_client.py URL SCENARIO [CA]   (CA: a PEM file trusted for wss:// URLs)
#   echo          text, binary, fragmented, compressible and 16 MiB messages, a ping, then
#                 asks the server to close ("close-me") and reports its code
#   client-close  closes with 1000 "done"
#   too-big       sends 2000 bytes to a route that takes 1024
# Prints one line per step; the test compares them.
import asyncio
import ssl
import sys

import websockets


async def echo(ws, out):
    out.append("deflate " + ("yes" if any("PerMessageDeflate" in repr(e) for e in ws.extensions) else "no"))
    await ws.send("hello")
    out.append("text " + await ws.recv())
    await ws.send(b"\x00\x01\x02")
    out.append("binary %d" % len(await ws.recv()))
    await ws.send(["frag1 ", "frag2"])
    out.append("text " + await ws.recv())
    text = "compress me " * 1000
    await ws.send(text)
    back = await ws.recv()
    out.append("text %d %s" % (len(back), "same" if back == text else "different"))
    big = bytes(range(256)) * (16 * 1024 * 1024 // 256)
    await ws.send(big)
    back = await ws.recv()
    out.append("big %d %s" % (len(back), "same" if back == big else "different"))
    await (await ws.ping(b"hi"))
    out.append("pong hi")
    await ws.send("close-me")
    await ws.wait_closed()
    out.append("close %d %s" % (ws.close_code, ws.close_reason))


async def main(url, scenario, ca):
    out = []
    tls = ssl.create_default_context(cafile=ca) if ca else None
    async with websockets.connect(url, max_size=None, compression="deflate", ssl=tls) as ws:
        if scenario == "echo":
            await echo(ws, out)
        elif scenario == "client-close":
            await ws.send("hello")
            out.append("text " + await ws.recv())
            await ws.close(1000, "done")
            out.append("close %d" % ws.close_code)
        elif scenario == "too-big":
            await ws.send("x" * 2000)
            await ws.wait_closed()
            out.append("close %d" % ws.close_code)
    print("\n".join(out))


asyncio.run(asyncio.wait_for(main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None), 20))
