#!/bin/sh
# t_clients.sh - real feed readers against the real server: `sluice serve`
# on 127.0.0.1 with the sample feeds (file: URLs), then
#   - newsboat subscribes to a filtered URL and to a channel, reloads
#     twice, and its cache must hold exactly the expected entries, once;
#   - Python's feedparser parses the Atom and RSS outputs (the merged feed,
#     a channel, a page) with bozo = 0; JSON Feed, which Debian's
#     feedparser 6.0 does not read, is read by Python's json; the same
#     entry ids in the same order in each format.
# A client that is not installed is skipped (quickstart.sh test installs
# both).  TAP on stdout.
set -u
: "${SLUICE:?}" "${SRCDIR:?}"
# Debian's Python, where python3-feedparser is (another python3 may come
# first in PATH).
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

n=0
ok() {	# STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
	fi
}
skip() {
	n=$((n + 1))
	echo "ok $n # SKIP $1"
}

tmp=$(mktemp -d /tmp/sluice-clients-XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

cat > "$tmp/sluice.conf" <<EOF
[server]
title = Clients
base_url = http://sluice.test/
page_size = 100
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
[channel cl]
query = continual -survey
title = Continual learning
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
if [ -z "$port" ]; then
	echo "1..1"
	ok 1 "sluice serve starts"
	cat "$tmp/log" | sed 's/^/# /'
	exit 1
fi
base=http://127.0.0.1:$port

# The store as the command line sees it: the expected entries, once.
i=0
want_all=0
while [ $i -lt 100 ]; do
	want_all=$("$SLUICE" query -c "$tmp/sluice.conf" | wc -l)
	[ "$want_all" -ge 42 ] && break
	sleep 0.1
	i=$((i + 1))
done
want_cl=$("$SLUICE" query -c "$tmp/sluice.conf" 'continual -survey' | wc -l)
ok "$([ "$want_all" -ge 42 ] && echo 0 || echo 1)" \
    "the server has stored the samples' stories ($want_all)"

# newsboat: a filtered URL and a channel, reloaded twice.  newsboat keeps
# an item once whatever feed brings it (by guid), so with both in one
# cache it holds their union; the channel alone, in a cache of its own,
# holds its entries.
want_union=$("$SLUICE" query -c "$tmp/sluice.conf" \
    'continual OR lifelong OR (continual -survey)' | wc -l)
if command -v newsboat > /dev/null; then
	url_q="$base/feed.atom?q=continual+OR+lifelong"
	url_cl="$base/c/cl.rss"
	printf '%s\n%s\n' "$url_q" "$url_cl" > "$tmp/urls"
	printf '%s\n' "$url_cl" > "$tmp/urls.cl"
	printf 'reload-threads 2\n' > "$tmp/newsboat.conf"
	count() {	# CACHE [URL]: "items distinct-guids" in newsboat's cache
		"$PY" - "$@" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
where, args = ("WHERE feedurl = ?", sys.argv[2:]) if len(sys.argv) > 2 \
    else ("", [])
n, d = db.execute("SELECT count(*), count(DISTINCT guid) FROM rss_item "
                  + where, args).fetchone()
print(n, d)
EOF
	}
	reload() {	# URLS CACHE
		HOME=$tmp timeout 60 newsboat -x reload -u "$1" -c "$2" \
		    -C "$tmp/newsboat.conf" > "$tmp/nb.out" 2>&1
	}
	for round in 1 2; do
		reload "$tmp/urls" "$tmp/cache.db"
		ok $? "newsboat -x reload of both, round $round, exits 0"
		got=$(count "$tmp/cache.db")
		ok "$([ "$got" = "$want_union $want_union" ] && echo 0 || echo 1)" \
		    "round $round: its cache holds the $want_union entries of both, each once (it has: $got)"
		reload "$tmp/urls.cl" "$tmp/cache.cl.db"
		ok $? "newsboat -x reload of the channel alone, round $round, exits 0"
		got=$(count "$tmp/cache.cl.db" "$url_cl")
		ok "$([ "$got" = "$want_cl $want_cl" ] && echo 0 || echo 1)" \
		    "round $round: the channel's $want_cl entries, each once (it has: $got)"
	done
else
	for i in 1 2 3 4 5 6 7 8; do
		skip "newsboat is not installed"
	done
fi

# feedparser: every output, bozo = 0, the same ids in every format.
if "$PY" -c 'import feedparser' 2> /dev/null; then
	"$PY" - "$base" "$want_all" "$want_cl" "$n" <<'EOF'
import feedparser, json, sys, urllib.request
base, want_all, want_cl, n = sys.argv[1], int(sys.argv[2]), \
    int(sys.argv[3]), int(sys.argv[4])
def ok(good, what):
    global n
    n += 1
    print(("ok %d - %s" if good else "not ok %d - %s") % (n, what))
for path, want in (("feed", want_all), ("c/cl", want_cl)):
    ids = {}
    for fmt in ("atom", "rss"):
        url = "%s/%s.%s?limit=500" % (base, path, fmt)
        d = feedparser.parse(urllib.request.urlopen(url).read())
        ok(d.bozo == 0, "feedparser reads /%s.%s with bozo = 0%s" % (
            path, fmt, "" if d.bozo == 0 else ": %s" % d.bozo_exception))
        ok(len(d.entries) == want, "  %d entries (%d)" % (want,
            len(d.entries)))
        ok(all(e.get("id") and e.get("title") for e in d.entries),
           "  each with its id and title")
        ids[fmt] = [e.get("id") for e in d.entries]
    # Debian's feedparser (6.0) reads no JSON Feed: Python's json does.
    url = "%s/%s.json?limit=500" % (base, path)
    doc = json.load(urllib.request.urlopen(url))
    ok(doc.get("version") == "https://jsonfeed.org/version/1.1" and
       len(doc.get("items", [])) == want,
       "/%s.json: JSON Feed 1.1 with %d items" % (path, want))
    ids["json"] = [i.get("id") for i in doc.get("items", [])]
    ok(ids["atom"] == ids["rss"] == ids["json"],
       "  the same ids, in the same order, in the three formats")
# A page and its next one.
d = feedparser.parse(urllib.request.urlopen(base + "/feed.atom?limit=5").read())
nxt = [l.href for l in d.feed.get("links", []) if l.rel == "next"]
ok(d.bozo == 0 and len(d.entries) == 5 and len(nxt) == 1,
   "a page of 5 has a next link feedparser sees")
print("1..%d" % n)
EOF
else
	skip "python3-feedparser is not installed"
	echo "1..$n"
fi
