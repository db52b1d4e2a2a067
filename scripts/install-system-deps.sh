#!/usr/bin/env bash
# Installs what the test suite needs from Debian packages when it is missing:
#   * a PostgreSQL server (the tests start their own throw-away server with initdb),
#   * a Redis server (the distributed runner's tests start their own on a free loopback port),
#   * Dovecot's IMAP server (the email connector's tests start their own on a free loopback port),
#   * Chromium (the browser tests drive it through Playwright; no browser is downloaded),
#   * fonts, so screenshots show text,
#   * Pango, which WeasyPrint uses to print the digest as a PDF.
# Only root can install; anyone else gets a note and the tests that need the missing part skip.
set -euo pipefail

have_postgres() {
    if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir 2>/dev/null)/initdb" ]; then
        return 0
    fi
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

have_redis() {
    command -v redis-server >/dev/null 2>&1
}

have_dovecot() {
    command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ]
}

have_chromium() {
    [ -x /usr/bin/chromium ]
}

have_fonts() {
    compgen -G '/usr/share/fonts/truetype/dejavu/*.ttf' >/dev/null
}

have_pango() {
    ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0'
}

missing=()
have_postgres || missing+=(postgresql)
have_redis || missing+=(redis-server)
have_dovecot || missing+=(dovecot-imapd)
have_chromium || missing+=(chromium)
have_fonts || missing+=(fonts-dejavu-core)
have_pango || missing+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "note: missing ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
    echo "      or the PostgreSQL, Redis, IMAP and browser tests will be skipped" >&2
    exit 0
fi

echo "installing Debian packages the tests need: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}"
