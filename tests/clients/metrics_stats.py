# Reads /stats and checks that it is JSON, as a monitoring script would.
# Usage: metrics_stats.py URL
# Prints "content-type: ...", then per loop
#   loop SERVER LOOP open=N accepted=N bytes_in=N bytes_out=N iterations=N
# and per application metric
#   app NAME{a="x",b="y"} VALUE        (counters and gauges)
#   app NAME{...} count=N              (histograms)
# Exits 1 if the body is not JSON or lacks a key every snapshot has.
import json
import sys
import urllib.request


def main():
    with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
        print("content-type: " + r.headers.get("Content-Type", ""))
        body = r.read().decode("utf-8")
    try:
        stats = json.loads(body)
        for k in ("uptime_s", "servers", "loops", "app", "busiest"):
            stats[k]
    except (ValueError, KeyError) as e:
        print("bad stats: %r" % e)
        return 1
    for l in stats["loops"]:
        print("loop %s %d open=%d accepted=%d bytes_in=%d bytes_out=%d iterations=%d" % (
            l["server"], l["loop"], l["open"], l["accepted"], l["bytes_in"], l["bytes_out"], l["iterations"]))
    for a in stats["app"]:
        labels = ",".join('%s="%s"' % (k, a["labels"][k]) for k in sorted(a["labels"]))
        if a["type"] == "histogram":
            print("app %s{%s} count=%d" % (a["name"], labels, a["all_us"]["count"]))
        else:
            v = a["value"]
            print("app %s{%s} %s" % (a["name"], labels, ("%d" % v) if v == int(v) else repr(v)))
    return 0


sys.exit(main())
