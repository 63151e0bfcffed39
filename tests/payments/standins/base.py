"""What both stand-ins share: a threaded HTTP server on a free loopback port, a lock around the
stand-in's state, and an optional delay before each answer (a provider that is too slow)."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StandIn:
    def __init__(self):
        self.lock = threading.RLock()
        self.delay = 0.0  # seconds to wait after doing the work and before answering
        self.requests = []  # (method, path) of every request received
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                standin._serve(self, "GET")

            def do_POST(self):
                standin._serve(self, "POST")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def _serve(self, handler, method):
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        with self.lock:
            self.requests.append((method, handler.path))
            status, headers, payload = self.answer(method, handler.path, handler.headers, body)
        if self.delay:
            time.sleep(self.delay)
        try:
            handler.send_response(status)
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the timeout tests)

    def answer(self, method, path, headers, body):
        raise NotImplementedError
