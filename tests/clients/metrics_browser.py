# Loads the dashboard in headless Chromium, driven over the DevTools protocol (Python's
# websockets), while the server is under load, and checks from the page's DOM that it
# shows what /stats says within one refresh: for every counter, the value the page shows
# lies between /stats read before the update it shows and /stats read after it; the
# open connections and loops are equal. Saves a screenshot of the page.
#
# Usage: metrics_browser.py CHROMIUM HOST:PORT SCREENSHOT.png OPEN_CONNECTIONS
# Prints "page updates=N open=N loops=N bytes_in=N", then "ok" or "mismatch ..."; exits
# 0 when the page matched, 1 when it did not, 2 when the browser could not be driven.
import asyncio
import base64
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import websockets

DEADLINE_S = 60


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read().decode("utf-8"))


def totals(stats):
    loops = stats["loops"]
    return {
        "open": sum(l["open"] for l in loops),
        "accepted": sum(l["accepted"] for l in loops),
        "bytesIn": sum(l["bytes_in"] for l in loops),
        "bytesOut": sum(l["bytes_out"] for l in loops),
        "loops": len(loops),
    }


class Page:
    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0

    async def call(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        await self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(await self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg["result"]

    async def summary(self):
        r = await self.call("Runtime.evaluate", returnByValue=True,
                            expression="JSON.stringify(Object.assign({status: document.getElementById('status')"
                                       ".textContent, shown: document.getElementById('open').textContent, "
                                       "rows: document.querySelectorAll('#loops tbody tr').length}, "
                                       "document.getElementById('summary').dataset))")
        if "exceptionDetails" in r or "value" not in r["result"]:
            return {}  # The page is still loading.
        return json.loads(r["result"]["value"])

    async def wait_updates(self, n, until):
        while time.monotonic() < until:
            s = await self.summary()
            if int(s.get("updates", 0)) >= n:
                return s
            await asyncio.sleep(0.05)
        raise TimeoutError("the page got no update %d" % n)


async def drive(devtools_port, host, screenshot, expect_open):
    until = time.monotonic() + DEADLINE_S
    pages = [t for t in get_json("http://127.0.0.1:%d/json/list" % devtools_port) if t.get("type") == "page"]
    async with websockets.connect(pages[0]["webSocketDebuggerUrl"], max_size=None) as ws:
        page = Page(ws)
        await page.call("Emulation.setDeviceMetricsOverride", width=1280, height=1000, deviceScaleFactor=1,
                        mobile=False)
        await page.call("Page.navigate", url="http://%s/dashboard" % host)
        first = await page.wait_updates(2, until)
        u0 = int(first["updates"])
        before = totals(get_json("http://%s/stats" % host))
        # Two updates later, the page shows a snapshot taken after `before` was read.
        shown = await page.wait_updates(u0 + 2, until)
        after = totals(get_json("http://%s/stats" % host))
        shot = await page.call("Page.captureScreenshot", format="png")
        with open(screenshot, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
    print("page updates=%s open=%s loops=%s bytes_in=%s status=%s rows=%s" % (
        shown["updates"], shown["open"], shown["loops"], shown["bytesIn"], shown["status"], shown["rows"]))
    problems = []
    for k in ("accepted", "bytesIn", "bytesOut"):
        v = int(shown[k])
        if not before[k] <= v <= after[k]:
            problems.append("%s: page %d, stats before %d, after %d" % (k, v, before[k], after[k]))
    if before["bytesIn"] == after["bytesIn"]:
        problems.append("no traffic between the two reads of /stats: the server is not under load")
    for k in ("open", "loops"):
        if int(shown[k]) != after[k] or int(shown[k]) != before[k]:
            problems.append("%s: page %s, stats %d then %d" % (k, shown[k], before[k], after[k]))
    if int(shown["open"]) != expect_open:
        problems.append("open: page %s, expected %d" % (shown["open"], expect_open))
    if shown["shown"].replace(",", "") != str(expect_open):
        problems.append("the open-connections card shows %r" % shown["shown"])
    if int(shown["rows"]) != after["loops"]:
        problems.append("loop rows: %s for %d loops" % (shown["rows"], after["loops"]))
    if shown["status"] != "live":
        problems.append("status %r" % shown["status"])
    print("ok" if not problems else "mismatch " + "; ".join(problems))
    return 0 if not problems else 1


def main():
    chromium, host, screenshot, expect_open = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    profile = tempfile.mkdtemp(prefix="weft-chromium-")
    args = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--user-data-dir=" + profile,
            "--remote-debugging-port=0", "about:blank"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        port = None
        until = time.monotonic() + 30
        lines = []
        while time.monotonic() < until:
            line = proc.stderr.readline()
            if not line:
                break
            lines.append(line)
            m = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
            if m:
                port = int(m.group(1))
                break
        if port is None:
            print("chromium did not start: " + "".join(lines[-5:]))
            return 2
        # Chromium keeps logging: drain its pipe so that it never blocks on it.
        threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
        return asyncio.run(asyncio.wait_for(drive(port, host, screenshot, expect_open), DEADLINE_S))
    except (OSError, RuntimeError, TimeoutError, asyncio.TimeoutError, websockets.WebSocketException) as e:
        print("browser failed: %r" % e)
        return 2
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


sys.exit(main())
