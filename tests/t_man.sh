#!/bin/sh
# t_man.sh - the manual pages lint clean under mandoc (Debian's mandoc
# package; skipped without it), sluice.conf(5)'s EXAMPLES are
# etc/sluice.conf as it is, and the systemd unit is generated whole.
# TAP on stdout.
set -u
: "${SRCDIR:?}"
n=0
ok() {	# STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
	fi
}

if command -v mandoc > /dev/null; then
	for page in sluice.1 sluice.conf.5; do
		out=$(mandoc -T lint -W warning "$SRCDIR/man/$page" 2>&1)
		ok $? "mandoc -T lint: man/$page has no warning"
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
	done
else
	n=$((n + 1)); echo "ok $n # SKIP mandoc is not installed"
	n=$((n + 1)); echo "ok $n # SKIP mandoc is not installed"
fi

# The literal block of EXAMPLES, unescaped, against the sample config.
tmp=$(mktemp /tmp/sluice-man-XXXXXX)
sed -n '/^\.Sh EXAMPLES/,/^\.Sh/p' "$SRCDIR/man/sluice.conf.5" |
    sed -n '/^\.Bd -literal/,/^\.Ed/p' | sed -e '1d' -e '$d' |
    sed -e 's/^\\&//' -e 's/\\e/\\/g' > "$tmp"
cmp -s "$tmp" "$SRCDIR/etc/sluice.conf"
ok $? "sluice.conf(5) EXAMPLES is etc/sluice.conf, line for line"
rm -f "$tmp"

# The unit, as make generated it: no placeholder left.
unit=${BUILDDIR:-.}/etc/sluice.service
if [ -f "$unit" ]; then
	! grep -q '@[a-z]*@' "$unit" && grep -q '^ExecStart=/.*/sluice serve -c /.*/sluice.conf$' "$unit"
	ok $? "etc/sluice.service: ExecStart with absolute paths, nothing left to fill in"
else
	ok 1 "etc/sluice.service was generated ($unit)"
fi
echo "1..$n"
