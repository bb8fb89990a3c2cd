"""The browser suite: GraphiQL driven in headless Chromium against a live server (the
fixtures of tests/support/live.py, shared with tests/hostile).

Playwright (the `test` extra) drives the distribution's Chromium, Debian's `chromium`
package, which `.ci/run` installs where it is missing; Playwright's own browser download is
never used (it needs the internet). Without /usr/bin/chromium the tests are skipped."""

from __future__ import annotations

from tests.support.live import LiveServer, live_server, start_server

__all__ = ["LiveServer", "live_server", "start_server"]
