"""Opening a page in headless Chromium as a person would, for the tests (Chrome DevTools Protocol).

:func:`open_page` starts Chromium (``chromium`` from the Debian packages) headless with a fresh
profile, opens a ``file://`` page, waits until it has loaded, and returns what a tester checks: the
console messages and uncaught exceptions, every network request the page made, the result of a
JavaScript expression evaluated in the page, and a PNG screenshot of the whole page.
"""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import websocket

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
"""Executables tried in turn."""

START_SECONDS = 30
"""How long Chromium may take to open its DevTools port (an assumption: seconds on this machine)."""


def find_browser() -> str | None:
    """The path of a Chromium executable, or ``None``."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class PageVisit:
    """What the browser saw when it opened a page.

    Attributes:
        console: Console messages as ``(level, text)``.
        exceptions: Uncaught JavaScript exceptions and page errors (text).
        requests: URLs of every request the page made (the page's own file included).
        value: The result of the expression given to :func:`open_page`.
        screenshot: PNG bytes of the whole page.
    """

    console: list[tuple[str, str]] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    value: object = None
    screenshot: bytes = b""


class _Session:
    def __init__(self, url: str):
        self.ws = websocket.create_connection(url, timeout=START_SECONDS, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        if any(e.get("method") == method for e in self.events):
            return
        while time.monotonic() < deadline:
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            message = json.loads(self.ws.recv())
            self.events.append(message)
            if message.get("method") == method:
                return
        raise TimeoutError(f"no {method} within {seconds} s")


def open_page(path: Path, expression: str, width: int = 1200, seconds: float = 60) -> PageVisit:
    """Opens ``path`` in headless Chromium and reports what happened.

    Args:
        path: The HTML file.
        expression: JavaScript evaluated after the load event (its value is returned by value).
        width: Viewport width in CSS pixels.
        seconds: Time allowed for the page to load.

    Raises:
        FileNotFoundError: When no Chromium is installed.
    """
    exe = find_browser()
    if exe is None:
        raise FileNotFoundError("no Chromium found (tried " + ", ".join(BROWSERS) + ")")
    profile = Path(tempfile.mkdtemp(prefix="doorstroom-chromium-"))
    proc = subprocess.Popen(
        [
            exe,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + START_SECONDS
        while not port_file.exists() or len(port_file.read_text().split()) < 2:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"Chromium did not open its DevTools port (exit code {proc.poll()})")
            time.sleep(0.1)
        port, browser_path = port_file.read_text().split()[:2]
        browser = _Session(f"ws://127.0.0.1:{port}{browser_path}")
        target = browser.call("Target.createTarget", url="about:blank")["targetId"]
        page = _Session(f"ws://127.0.0.1:{port}/devtools/page/{target}")
        for domain in ("Page", "Runtime", "Network", "Log"):
            page.call(f"{domain}.enable")
        page.call(
            "Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1, mobile=False
        )
        page.call("Page.navigate", url=path.resolve().as_uri())
        page.wait_for("Page.loadEventFired", seconds)
        value = page.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)[
            "result"
        ].get("value")
        shot = page.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        visit = PageVisit(value=value, screenshot=base64.b64decode(shot["data"]))
        for e in page.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.consoleAPICalled":
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
                visit.console.append((p.get("type", ""), text))
            elif m == "Runtime.exceptionThrown":
                visit.exceptions.append(json.dumps(p.get("exceptionDetails", {}))[:500])
            elif m == "Log.entryAdded":
                entry = p.get("entry", {})
                visit.console.append((entry.get("level", ""), entry.get("text", "")))
            elif m == "Network.requestWillBeSent":
                visit.requests.append(p.get("request", {}).get("url", ""))
        with contextlib.suppress(Exception):
            browser.call("Browser.close")
        return visit
    finally:
        with contextlib.suppress(Exception):
            proc.terminate()
            proc.wait(10)
        if proc.poll() is None:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)
