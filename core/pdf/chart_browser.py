"""The chart browser: one headless Chromium per process, kept alive, walled off from any network.

Kaleido draws plotly figures as SVG in Chromium. Starting the browser and having it parse
plotly.js costs about 3 s, more than the rest of a 60-page export's charts together, so each
process keeps one browser (a Celery worker starts it when its process starts, see
``config.celery``; a web process starts it at its first export) and every render after that
pays only for its own figures (about 0.2 s each).

What stays between renders is the browser and plotly.js, nothing of a user's: the page is
reloaded when each render is done (not after every figure, as Kaleido does, which parses
plotly.js again each time), so each render's figures are drawn in a fresh document, and
figures travel over the DevTools pipe, never through files or a cache the browser keeps.
The browser is started again when it has died, when it stopped answering, or when its
processes together use more memory than ``PDF_CHART_BROWSER_MAX_MB``.

The browser cannot reach a network (the second wall behind ``core.charts.chart_text``):
every request of every scheme, loopback included, goes to a proxy on a port where nothing
listens, and no host name resolves. It loads only its own page and the plotly.js bundle,
from files; choreographer's ``--disable-web-security`` and ``--allow-file-access-from-files``
are dropped, so a page script cannot read other files either.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import signal
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import kaleido
from choreographer.browsers.chromium import Chromium

log = logging.getLogger(__name__)

# Where every request goes: the discard port on loopback, where nothing listens, so each one
# fails at once. "<-loopback>" takes away Chromium's built-in rule that loopback addresses
# bypass the proxy, so 127.0.0.1 and localhost are unreachable too.
DEAD_PROXY = "127.0.0.1:9"
NETWORK_WALL = (
    f"--proxy-server={DEAD_PROXY}",
    "--proxy-bypass-list=<-loopback>",
    # Belt and braces: no name resolves, should anything go around the proxy (WebRTC, DNS prefetch).
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--disable-background-networking",
    "--disable-domain-reliability",
    "--no-pings",
    "--dns-prefetch-disable",
)
# choreographer's defaults that open the browser up more than drawing a chart needs.
DROPPED_FLAGS = frozenset({"--disable-web-security", "--allow-file-access-from-files"})
# One renderer, and a JavaScript heap that cannot grow without bound on a hostile figure.
JS_HEAP_MB = 512


class WalledChromium(Chromium):
    """choreographer's Chromium with no network, no cross-file access and a bounded heap."""

    def get_cli(self) -> Sequence[str]:
        cli = [flag for flag in super().get_cli() if flag not in DROPPED_FLAGS]
        # Our own flags go last, so they win over any proxy settings the environment gave.
        cli = [flag for flag in cli if not flag.startswith("--proxy-server=")]
        return [
            *cli,
            *NETWORK_WALL,
            "--renderer-process-limit=1",
            f"--js-flags=--max-old-space-size={JS_HEAP_MB}",
        ]


def kill_group(pid: int) -> None:
    """Kill the browser's wrapper and every Chromium process in its group."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _session_processes(session: int) -> list[int]:
    """The processes in a session (the browser's wrapper starts a new one; Chromium's
    processes all stay in it)."""
    pids = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command's name is in brackets and may hold spaces: the fields start after it.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[3]) == session:
            pids.append(int(entry.name))
    return pids


def _pss_kib(pid: int) -> int:
    """The process's proportional share of memory (shared pages split between their users)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class RenderKaleido(kaleido.Kaleido):
    """Kaleido with a fresh page per render instead of per figure.

    Kaleido reloads its page after every figure, which makes the browser parse plotly.js
    again each time: 1.2 s of CPU for a portfolio's seven charts against 0.17 s without. The
    figures of one render are one portfolio's, so the page is reloaded once a render is done
    (``fresh_page``), and after any figure that failed, never between two users' renders.
    """

    async def _return_kaleido_tab(self, tab: Any) -> None:
        await self.tabs_ready.put(tab)

    async def fresh_page(self) -> None:
        tab = await self.tabs_ready.get()
        try:
            await tab.reload()
        finally:
            await self.tabs_ready.put(tab)


class ChartBrowser:
    """A Kaleido browser running in its own event loop thread, so every call has a time limit.

    Kaleido's own sync server waits for ever and joins its thread at exit with no limit; this
    one gives up after ``timeout`` seconds and kills the browser's process group if it has to.
    """

    def __init__(self, *, path: str, plotlyjs: Path, timeout: float) -> None:
        self.plotlyjs = plotlyjs
        self.timeout = timeout
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="chart-browser")
        self._thread.start()
        self._kaleido: Any = None
        try:
            self._kaleido = self._call(self._open(path), timeout)
        except BaseException:
            self.close()
            raise

    async def _open(self, path: str) -> Any:
        browser = RenderKaleido(
            path=path,
            plotlyjs=str(self.plotlyjs),
            mathjax=False,
            timeout=self.timeout,
            browser_cls=WalledChromium,
        )
        await browser.open()
        return browser

    def _call(self, coroutine: Any, timeout: float) -> Any:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise TimeoutError(f"no answer from the chart browser within {timeout:g} s") from None

    @property
    def pid(self) -> int | None:
        process = getattr(self._kaleido, "subprocess", None)
        return process.pid if process is not None else None

    def alive(self) -> bool:
        process = getattr(self._kaleido, "subprocess", None)
        return process is not None and process.poll() is None and self._thread.is_alive()

    def memory_mb(self) -> float:
        """What the browser's processes use together (proportional set size), in MB."""
        if self.pid is None:
            return 0.0
        return sum(_pss_kib(pid) for pid in _session_processes(self.pid)) / 1024

    def draw(self, figure: dict[str, Any], opts: dict[str, Any]) -> bytes:
        """One figure, drawn in the page the render's earlier figures were drawn in."""
        try:
            return self._call(self._kaleido.calc_fig(figure, opts=opts), self.timeout)
        except Exception:
            if self.alive():
                self.fresh_page()  # whatever the failed figure left behind goes
            raise

    def fresh_page(self) -> None:
        """Reload the page: call when a render is done, so the next one starts from nothing."""
        self._call(self._kaleido.fresh_page(), self.timeout)

    def close(self, timeout: float = 10) -> None:
        """Close the browser; kill its processes if it does not close within ``timeout`` seconds."""
        process = getattr(self._kaleido, "subprocess", None)
        try:
            if self._kaleido is not None and self._thread.is_alive():
                self._call(self._kaleido.close(), timeout)
        except BaseException as error:
            log.warning("PDF: the chart browser did not close cleanly (%s); killing it", error)
        finally:
            self._kaleido = None
            if process is not None and process.poll() is None:
                kill_group(process.pid)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(2)
            if not self._thread.is_alive():
                self._loop.close()


class BrowserHolder:
    """The process's one chart browser: started on demand, started again when unfit."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._browser: ChartBrowser | None = None
        self._pid = os.getpid()
        self._exit_registered = False

    def get(self, *, path: str, plotlyjs: Path, timeout: float) -> ChartBrowser:
        """The running browser with this plotly.js, started (again) if need be. Hold ``lock``."""
        if self._pid != os.getpid():
            # A forked child: the parent's browser and its thread are not ours. Forget, never close.
            self._browser, self._pid = None, os.getpid()
        browser = self._browser
        if browser is not None and (not browser.alive() or browser.plotlyjs != plotlyjs):
            self.discard()
            browser = None
        if browser is None:
            browser = self._browser = open_browser(path=path, plotlyjs=plotlyjs, timeout=timeout)
            if not self._exit_registered:
                atexit.register(self.stop)
                self._exit_registered = True
        return browser

    def discard(self) -> None:
        browser, self._browser = self._browser, None
        if browser is not None:
            browser.close()

    def check_memory(self, cap_mb: float) -> None:
        """Close the browser if it uses more than ``cap_mb``; the next render starts a fresh one."""
        with self.lock:
            browser = self._browser
            if browser is None or self._pid != os.getpid():
                return
            used = browser.memory_mb()
            if used > cap_mb:
                log.info("PDF: the chart browser uses %.0f MB (over %.0f MB); restarting it", used, cap_mb)
                self.discard()

    def running(self) -> bool:
        return self._browser is not None and self._pid == os.getpid() and self._browser.alive()

    def stop(self) -> None:
        """Close the browser, if this process started one: at exit, and when a worker stops."""
        if self._pid != os.getpid():
            return
        if not self.lock.acquire(timeout=15):
            # A render still holds it: kill the browser without waiting (we are exiting).
            browser = self._browser
            if browser is not None and browser.pid is not None:
                kill_group(browser.pid)
            return
        try:
            self.discard()
        finally:
            self.lock.release()


def open_browser(*, path: str, plotlyjs: Path, timeout: float) -> ChartBrowser:
    """A new chart browser (the seam tests replace with a fake)."""
    return ChartBrowser(path=path, plotlyjs=plotlyjs, timeout=timeout)


HOLDER = BrowserHolder()
