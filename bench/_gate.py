"""A TCP relay on loopback in front of a service, to provoke network faults in the resilience
scenarios (bench/resilience.py): it passes bytes both ways, or is closed (the service unreachable:
connections refused, open ones cut), or forwards requests whole and drops some answers (a peer that
did the work, then lost its reply)."""

import socket
import threading


class Gate:
    def __init__(self, upstream_port, port=0):
        self.upstream = ("127.0.0.1", upstream_port)
        self.port = port
        self.dropped = 0
        self._drop_every = 0  # drop every n-th answer, while `_drop_left` > 0
        self._drop_left = 0
        self._answers = 0
        self._lock = threading.Lock()
        self._sockets = set()
        self._listener = None
        self.open()

    def open(self):
        """Accept connections again (on the same port)."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(256)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def close(self):
        """Refuse new connections and cut the open ones, as an unreachable service."""
        listener, self._listener = self._listener, None
        if listener is not None:
            _shut(listener)  # shutdown wakes the thread blocked in accept(); close alone would not
        with self._lock:
            sockets, self._sockets = list(self._sockets), set()
        for sock in sockets:
            _shut(sock)

    def drop_answers(self, count, every=3):
        """Forward every request, but drop the answer of one connection in `every`, `count` times."""
        with self._lock:
            self._drop_every, self._drop_left, self._answers = every, count, 0

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, True), daemon=True).start()

    def _drop_this_answer(self):
        with self._lock:
            if self._drop_left <= 0:
                return False
            self._answers += 1
            if self._answers % self._drop_every:
                return False
            self._drop_left -= 1
            self.dropped += 1
            return True

    def _pump(self, source, target, answers):
        first = True
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if answers and first and self._drop_this_answer():
                    break
                first = False
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                _shut(sock)
            with self._lock:
                self._sockets.difference_update((source, target))


def _shut(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
