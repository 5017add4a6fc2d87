#!/bin/sh
# t_browser.sh - the HTML page in a real browser: headless Chromium, driven
# through its DevTools protocol (a small WebSocket client in Python's
# standard library), loads / from `sluice serve` on 127.0.0.1, types a
# query into the search box, submits the form and reads the result list;
# then the same page on a phone-sized screen must not scroll sideways.
# Skipped when chromium is not installed.  SLUICE_SCREENSHOT=FILE also
# saves a PNG of the result page.  TAP on stdout.
set -u
: "${SLUICE:?}" "${SRCDIR:?}"
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chrome" ]; then
	echo "1..0 # SKIP chromium is not installed"
	exit 0
fi

tmp=$(mktemp -d /tmp/sluice-browser-XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

cat > "$tmp/sluice.conf" <<EOF
[server]
title = Browser
base_url = http://127.0.0.1/
[store]
path = $tmp/sluice.db
keep_days = 100000
[feed arxiv]
url = $SRCDIR/feeds/arxiv-cs.xml
[feed daily]
url = $SRCDIR/feeds/daily-papers.atom
[feed notes]
url = $SRCDIR/feeds/lab-notes.rdf
[feed blog]
url = $SRCDIR/feeds/lab-blog.xml
EOF
"$SLUICE" serve -c "$tmp/sluice.conf" -l 127.0.0.1:0 2> "$tmp/log" &
pid=$!
port=
i=0
while [ $i -lt 100 ] && [ -z "$port" ]; do
	port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' \
	    "$tmp/log")
	[ -z "$port" ] && sleep 0.1
	i=$((i + 1))
done
i=0
while [ $i -lt 100 ]; do
	[ "$("$SLUICE" query -c "$tmp/sluice.conf" | wc -l)" -ge 42 ] && break
	sleep 0.1
	i=$((i + 1))
done
"$SLUICE" query -c "$tmp/sluice.conf" 'continual -survey' |
    cut -f3 > "$tmp/titles"
want=$(wc -l < "$tmp/titles")

"$PY" - "$chrome" "http://127.0.0.1:${port:-0}/" "$want" "$tmp" \
    "${SLUICE_SCREENSHOT:-}" <<'EOF'
import base64, json, os, select, socket, struct, subprocess, sys, time
import urllib.parse, urllib.request

chrome, base, want, tmp, shot = sys.argv[1], sys.argv[2], \
    int(sys.argv[3]), sys.argv[4], sys.argv[5]
n = 0
def ok(good, what):
    global n
    n += 1
    print(("ok %d - %s" if good else "not ok %d - %s") % (n, what),
          flush=True)
    return good

proc = subprocess.Popen([chrome, "--headless", "--no-sandbox",
    "--disable-gpu", "--user-data-dir=" + tmp + "/chrome",
    "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
    "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

def devtools_port():
    """The port Chromium reports on stderr, within 30 s."""
    end, seen = time.time() + 30, b""
    while time.time() < end:
        r, _, _ = select.select([proc.stderr], [], [], 0.5)
        if r:
            chunk = os.read(proc.stderr.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
            for line in seen.split(b"\n"):
                if line.startswith(b"DevTools listening on ws://"):
                    return int(line.split(b":")[2].split(b"/")[0])
    return None

class Socket:
    """A WebSocket client: text frames out (masked), frames in."""
    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.s = socket.create_connection((u.hostname, u.port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall(("GET %s HTTP/1.1\r\nHost: %s:%d\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n"
            % (u.path, u.hostname, u.port, key)).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.s.recv(4096)
        head, self.buf = head.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise IOError("no WebSocket: %r" % head[:80])
        self.id = 0
    def take(self, k):
        while len(self.buf) < k:
            chunk = self.s.recv(65536)
            if not chunk:
                raise IOError("closed")
            self.buf += chunk
        out, self.buf = self.buf[:k], self.buf[k:]
        return out
    def send(self, text):
        data, mask = text.encode(), os.urandom(4)
        head = bytearray([0x81])
        if len(data) < 126:
            head.append(0x80 | len(data))
        elif len(data) < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", len(data))
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", len(data))
        self.s.sendall(bytes(head) + mask +
                       bytes(b ^ mask[i % 4] for i, b in enumerate(data)))
    def recv(self):
        msg = b""
        while True:
            b0, b1 = self.take(2)
            k = b1 & 0x7f
            if k == 126:
                k = struct.unpack(">H", self.take(2))[0]
            elif k == 127:
                k = struct.unpack(">Q", self.take(8))[0]
            msg += self.take(k)
            if b0 & 0x80:
                return msg.decode()
    def call(self, method, **params):
        self.id += 1
        self.send(json.dumps({"id": self.id, "method": method,
                              "params": params}))
        while True:
            m = json.loads(self.recv())
            if m.get("id") == self.id:
                if "error" in m:
                    raise IOError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
    def eval(self, js):
        r = self.call("Runtime.evaluate", expression=js, returnByValue=True)
        return r.get("result", {}).get("value")

def wait_page(ws, test, seconds=15):
    """Polls until the page is loaded and test(state) holds."""
    end = time.time() + seconds
    st = {}
    while time.time() < end:
        try:
            st = ws.eval("JSON.stringify({ready: document.readyState,"
                " search: location.search,"
                " items: document.querySelectorAll('ol > li').length,"
                " box: (document.querySelector('input[name=q]') || {}).value,"
                " titles: Array.from(document.querySelectorAll('ol > li'),"
                "   li => li.firstElementChild.textContent),"
                " wide: document.documentElement.scrollWidth})")
        except IOError as e:
            # A navigation that lands during the evaluation cancels it;
            # the next poll asks the new page.
            if "navigated" not in str(e):
                raise
            st = None
        st = json.loads(st) if st else {}
        if st.get("ready") == "complete" and test(st):
            return st
        time.sleep(0.2)
    return st

try:
    port = devtools_port()
    if not ok(port is not None, "headless Chromium starts"):
        sys.exit(0)
    pages = json.load(urllib.request.urlopen(
        "http://127.0.0.1:%d/json" % port))
    page = [p for p in pages if p.get("type") == "page"][0]
    ws = Socket(page["webSocketDebuggerUrl"])
    ws.call("Page.enable")
    ws.call("Page.navigate", url=base)
    st = wait_page(ws, lambda s: s["items"] > 0)
    ok(st.get("items", 0) >= 42, "/ lists the river (%d entries)"
       % st.get("items", 0))
    ws.eval("document.querySelector('input[name=q]').value ="
            " 'continual -survey';"
            " document.querySelector('form').requestSubmit(); true")
    st = wait_page(ws, lambda s: "q=" in s["search"])
    ok("q=continual" in st.get("search", ""),
       "submitting the search box goes to %s" % st.get("search"))
    ok(st.get("items") == want, "the result list has the %d entries of "
       "'continual -survey' (%s)" % (want, st.get("items")))
    titles = open(tmp + "/titles", encoding="utf-8").read().splitlines()
    ok(st.get("titles") == titles, "the same titles, in the same order, "
       "as sluice query 'continual -survey'")
    ok(st.get("box") == "continual -survey",
       "the search box still holds the query")
    if shot:
        png = ws.call("Page.captureScreenshot", format="png")["data"]
        with open(shot, "wb") as f:
            f.write(base64.b64decode(png))
    ws.call("Emulation.setDeviceMetricsOverride", width=390, height=844,
            deviceScaleFactor=2, mobile=True)
    ws.call("Page.reload")
    time.sleep(0.3)
    st = wait_page(ws, lambda s: s["items"] > 0)
    ok(st.get("items") == want and st.get("wide", 9999) <= 390,
       "on a 390-pixel phone screen: the same list, no sideways scroll "
       "(%s px wide)" % st.get("wide"))
    try:
        ws.call("Browser.close")
    except Exception:
        pass
except Exception as e:
    ok(False, "the browser session: %s" % e)
finally:
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
print("1..%d" % n)
EOF
