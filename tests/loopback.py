"""A real socket on loopback that records every connection made to it and what was sent: the
tests that nothing a user typed makes a renderer fetch anything listen with it."""

from __future__ import annotations

import socket
import threading
import time


class Listener:
    """A real socket on loopback that records every connection and every byte sent to it."""

    def __init__(self) -> None:
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.received: list[bytes] = []
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _address = self.server.accept()
            except (TimeoutError, OSError):
                continue
            self.accepted += 1
            with connection:
                connection.settimeout(1)
                try:
                    data = connection.recv(65536)
                except OSError:
                    data = b""
                self.received.append(data or b"(connection without data)")

    def label(self, vector: str, name: str) -> str:
        """A hostile label: a span whose style makes a browser fetch from this socket."""
        if vector == "link":
            return f'<a href="http://127.0.0.1:{self.port}/{name}">{name}</a>'
        return f'<span style="{vector}:url(http://127.0.0.1:{self.port}/{name})">{name}</span>'

    def settle(self) -> list[bytes]:
        time.sleep(1)  # anything the browser started sending has arrived
        return list(self.received)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.server.close()

    @property
    def connections(self) -> int:
        """Connections accepted so far, counted before anything is read from them."""
        return self.accepted
