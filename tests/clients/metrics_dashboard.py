# Checks weft's dashboard as a browser would use it: fetches /dashboard, then opens its
# WebSocket feed and reads a few updates (Python websockets, Debian python3-websockets).
# Usage: metrics_dashboard.py HOST:PORT UPDATES
# Prints "page <bytes> external=<n> canvases=<n>", then per update:
#   update loops=<n> open=<n> accepted=<n> bytes_in=<n> bytes_out=<n> busy_ok=<0|1> uptime=<s>
import asyncio
import json
import re
import sys
import urllib.request

import websockets


async def main():
    host, count = sys.argv[1], int(sys.argv[2])
    with urllib.request.urlopen("http://%s/dashboard" % host, timeout=10) as r:
        page = r.read().decode("utf-8")
    external = len(re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)) + page.count("@import")
    print("page %d external=%d canvases=%d" % (len(page), external, page.count("<canvas")))
    async with websockets.connect("ws://%s/dashboard/ws" % host, max_size=None) as ws:
        for _ in range(count):
            s = json.loads(await asyncio.wait_for(ws.recv(), 10))
            loops = s["loops"]
            busy_ok = all(0.0 <= l["busy"] <= 1.0 for l in loops)
            print("update loops=%d open=%d accepted=%d bytes_in=%d bytes_out=%d busy_ok=%d uptime=%.3f" % (
                len(loops), sum(l["open"] for l in loops), sum(l["accepted"] for l in loops),
                sum(l["bytes_in"] for l in loops), sum(l["bytes_out"] for l in loops), busy_ok, s["uptime_s"]))
            sys.stdout.flush()


asyncio.run(main())
