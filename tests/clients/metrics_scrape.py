# Scrapes a Prometheus endpoint and parses it with prometheus_client's text parser
# (Debian python3-prometheus-client), as Prometheus would.
# Usage: metrics_scrape.py URL
# Prints "content-type: ..." and then one line per sample, labels sorted:
#   name{a="x",b="y"} value
# and "family NAME TYPE" per family. Exits 1 if the text does not parse, or if Prometheus's
# own checker (promtool check metrics, Debian prometheus) finds a problem in it.
import subprocess
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def main():
    with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
        print("content-type: " + r.headers.get("Content-Type", ""))
        text = r.read().decode("utf-8")
    try:
        families = list(text_string_to_metric_families(text))
    except Exception as e:  # The parser raises ValueError and others on bad input.
        print("parse error: %r" % e)
        return 1
    check = subprocess.run(["/usr/bin/promtool", "check", "metrics"], input=text.encode(),
                           capture_output=True, timeout=30)
    if check.returncode != 0:
        print("promtool check metrics: " + (check.stdout + check.stderr).decode(errors="replace"))
        return 1
    for f in families:
        print("family %s %s" % (f.name, f.type))
        for s in f.samples:
            labels = ",".join('%s="%s"' % (k, s.labels[k]) for k in sorted(s.labels))
            value = s.value
            shown = ("%d" % value) if value == int(value) else repr(value)
            print("%s{%s} %s" % (s.name, labels, shown))
    return 0


sys.exit(main())
