#!/bin/sh
# System packages storyforge's tests need, installed once: Debian's Chromium, which the viewer
# and serve tests drive through Playwright (Playwright's own browser download needs a network
# the test machines do not have). Safe to run again: it installs only what is missing.
set -eu

missing=""
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing="$missing chromium"

if [ -z "$missing" ]; then
    echo "setup-system: chromium is installed ($(command -v chromium || echo /usr/bin/chromium))"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-system: no apt-get here; install Chromium so that \`chromium\` is on PATH" >&2
    exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "setup-system: missing:$missing; as root, run:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # the list is words on purpose
apt-get install -y --no-install-recommends $missing
echo "setup-system: installed$missing"
