#!/bin/sh
# quickstart.sh - install what is missing (Debian), build, then either
# serve the default config or run the tests:
#
#   sh quickstart.sh serve    sluice serve on etc/sluice.conf, port 8080
#   sh quickstart.sh test     make check
#
# Run it as root, or as a user who may sudo (only apt-get needs it).
set -eu

case "${1:-}" in
serve|test) ;;
*) echo "usage: sh quickstart.sh serve|test" >&2; exit 2 ;;
esac
cd "$(dirname "$0")"

PKGS="gcc make libc6-dev autoconf automake pkg-config libxml2-dev
libcurl4-openssl-dev libevent-dev libsqlite3-dev zlib1g-dev"
# The tests also run real feed readers and a browser against the server,
# and a TLS origin (openssl s_server) that libcurl trusts through its CA
# bundle.
[ "$1" = test ] && PKGS="$PKGS newsboat python3-feedparser chromium mandoc
openssl ca-certificates"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "quickstart: installing$missing" >&2
	$sudo apt-get update -qq
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $missing
fi

[ -x configure ] || autoreconf -fi
mkdir -p build
cd build
[ -f Makefile ] || ../configure --enable-werror
jobs=$(nproc 2>/dev/null || echo 2)
make -j"$jobs"
if [ "$1" = serve ]; then
	exec ./sluice serve -c ../etc/sluice.conf
fi
make -j"$jobs" check
