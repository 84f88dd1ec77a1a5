"""Headless Chromium driven over the DevTools protocol, with no Python package beyond stdlib.

`--remote-debugging-pipe` makes Chromium read protocol messages from fd 3 and
write them to fd 4, each a JSON object ended by a NUL byte; a shell `exec`
puts our pipes there, so no websocket client is needed. The page is loaded
with the Runtime, Log and Network domains on, so every console message,
uncaught exception, browser log entry (CSP violations, failed loads) and
every request the page makes is recorded.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import queue
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

__all__ = ["BROWSER", "PageLoad", "find_chromium", "load_page"]

BROWSER = "/usr/bin/chromium"  # Debian's `chromium` package (`make browser` installs it)

_FLAGS = (
    "--headless",
    "--no-sandbox",  # CI containers run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)


def find_chromium() -> str | None:
    """Debian's chromium, else one on PATH."""
    return BROWSER if os.access(BROWSER, os.X_OK) else shutil.which("chromium")


@dataclass
class PageLoad:
    """What happened while a page loaded, and what it shows."""

    console: list[str] = field(default_factory=list)  # "type: text" of every console call
    errors: list[str] = field(default_factory=list)  # exceptions and error/warning log entries
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    value: Any = None  # result of the evaluated expression
    screenshot: bytes = b""


class _Pipe:
    def __init__(self, writer: IO[bytes], reader: IO[bytes]) -> None:
        self._writer = writer
        self._messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        threading.Thread(target=self._read, args=(reader,), daemon=True).start()

    def _read(self, reader: IO[bytes]) -> None:
        buffer = b""
        while chunk := reader.read1(65536):  # type: ignore[attr-defined]
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for message in messages:
                self._messages.put(json.loads(message))

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self._writer.write(json.dumps(message).encode() + b"\0")
        self._writer.flush()
        while True:
            reply = self._messages.get(timeout=60)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def wait_for(self, method: str, *, after: int) -> dict[str, Any]:
        """The first `method` event among those after the first `after` events."""
        for event in self.events[after:]:
            if event.get("method") == method:
                return event
        while True:
            event = self._messages.get(timeout=60)
            self.events.append(event)
            if event.get("method") == method:
                return event

    def drain(self) -> None:
        while True:
            try:
                self.events.append(self._messages.get(timeout=0.5))
            except queue.Empty:
                return


def _record(load: PageLoad, event: dict[str, Any]) -> None:
    method, params = event.get("method"), event.get("params", {})
    if method == "Runtime.consoleAPICalled":
        text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
        load.console.append(f"{params['type']}: {text}")
    elif method == "Runtime.exceptionThrown":
        load.errors.append(f"exception: {params['exceptionDetails'].get('text')}")
    elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
        load.errors.append(f"{params['entry']['source']}: {params['entry']['text']}")
    elif method == "Network.requestWillBeSent":
        load.requests.append(params["request"]["url"])


def load_page(
    binary: str, url: str, profile: Path, *, expression: str, width: int = 1200
) -> PageLoad:
    """Load `url`, evaluate `expression` (awaiting a promise), take a full-page screenshot."""
    with (profile / "chromium.log").open("wb") as log:
        process = subprocess.Popen(
            ["sh", "-c", 'exec "$0" "$@" 3<&0 4>&1 0</dev/null 1>/dev/null', binary, *_FLAGS,
             f"--user-data-dir={profile / 'profile'}", "about:blank"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
        )  # fmt: skip
        assert process.stdin is not None and process.stdout is not None
        pipe = _Pipe(process.stdin, process.stdout)
        try:
            target = pipe.call("Target.createTarget", url="about:blank")["targetId"]
            session = pipe.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            for domain in ("Runtime", "Log", "Network", "Page"):
                pipe.call(f"{domain}.enable", session)
            pipe.call(
                "Emulation.setDeviceMetricsOverride",
                session,
                width=width,
                height=900,
                deviceScaleFactor=1,
                mobile=False,
            )
            before = len(pipe.events)
            pipe.call("Page.navigate", session, url=url)
            pipe.wait_for("Page.loadEventFired", after=before)
            evaluated = pipe.call(
                "Runtime.evaluate",
                session,
                expression=expression,
                awaitPromise=True,
                returnByValue=True,
            )
            if "exceptionDetails" in evaluated:
                raise RuntimeError(f"evaluation failed: {evaluated['exceptionDetails']}")
            size = pipe.call("Page.getLayoutMetrics", session)["cssContentSize"]
            shot = pipe.call(
                "Page.captureScreenshot",
                session,
                format="png",
                captureBeyondViewport=True,
                clip={"x": 0, "y": 0, "width": width, "height": size["height"], "scale": 1},
            )
            pipe.drain()
            load = PageLoad(
                value=evaluated["result"].get("value"), screenshot=base64.b64decode(shot["data"])
            )
            for event in pipe.events:
                _record(load, event)
            with contextlib.suppress(RuntimeError, queue.Empty, BrokenPipeError):
                pipe.call("Browser.close")
            return load
        finally:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
