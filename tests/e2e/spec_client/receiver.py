"""A partner's own endpoint (docs/partner-protocol.md section 6): `POST /partner-api/v1/messages/`
verifies the platform's signature against its published keys, refuses with the section 5 codes,
dedupes on the Idempotency-Key and on (partnership, seq), applies in seq order at most once, and
answers with a reply signed and bound to the request. On version 1.2 it also takes batches
(`POST /partner-api/v1/messages/batch/`, section 3 "Batches"): each message as if alone, in order,
stopping after the first that is not 2xx."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import signing

PATH = "/partner-api/v1/messages/"
BATCH_PATH = "/partner-api/v1/messages/batch/"
KNOWN_TYPES = {"partner.notice", "partner.keys_updated", "partnership.accepted", "partnership.suspended",
               "partnership.resumed", "partnership.ended", "charge.notice", "demand.report"}  # fmt: skip


class Receiver:
    def __init__(self, client, *, known_types=KNOWN_TYPES, schema=None):
        self.client = client  # our keys, the platform's keys, the partnership
        self.known_types = set(known_types)
        self.schema = schema  # messages.Schema: each payload is checked against its type's
        self.applied = []  # (seq, type, payload) in the order applied
        self.answers = {}  # idempotency key -> (body bytes, status, reply body)
        self.by_seq = {}  # seq -> (type, payload, reply body)
        self.refusals = []  # (status, code)
        self.nonces = set()
        self.versions = []  # the Partner-Protocol of each request
        self.paths = []  # the path of each verified request
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def highest_seq(self):
        return max(self.by_seq, default=0)

    # --- one request -------------------------------------------------------------------------------

    def handle(self, method, path, query, headers, body):
        """(status, reply body dict, extra headers) for one request."""
        request = {"method": method, "authority": headers.get("Host", ""), "path": path, "query": query,
                   "headers": headers, "body": body}  # fmt: skip
        try:
            signing.verify(
                request,
                self.client.partner_keys,
                required=tuple(f'"{name}"' for name in signing.REQUEST_COMPONENTS),
                nonces=self.nonces,
            )
        except signing.SignatureError as error:
            return 401, {"code": error.code, "detail": error.detail, "field": None}, {}, request
        self.versions.append(headers.get("Partner-Protocol"))
        self.paths.append(path)
        batches = tuple(int(part) for part in (self.client.version or "1.0").split(".")) >= (1, 2)
        if path not in (PATH, BATCH_PATH) or (path == BATCH_PATH and not batches):
            return 404, {"code": "not_found", "detail": path, "field": None}, {}, request
        if method != "POST":
            return 405, {"code": "method_not_allowed", "detail": method, "field": None}, {}, request
        try:
            data = json.loads(body)
        except ValueError:
            return 400, {"code": "parse_error", "detail": "", "field": None}, {}, request
        if path == BATCH_PATH:
            status, answer = self._batch(data)
            return status, answer, {}, request
        key = headers.get("Idempotency-Key")
        if not key:
            return 400, {"code": "idempotency_key_missing", "detail": "", "field": None}, {}, request
        status, answer, extra = self._once(key, data)
        return status, answer, extra, request

    def _once(self, key, envelope):
        """One message under its Idempotency-Key: (status, reply body, extra headers)."""
        with self.lock:
            if key in self.answers:
                first, status, answer = self.answers[key]
                if first != envelope:
                    return 422, {"code": "idempotency_key_reused", "detail": key, "field": None}, {}
                return status, answer, {"Idempotent-Replayed": "true"}
            if not isinstance(envelope, dict):
                return 400, {"code": "invalid", "detail": "not an object", "field": None}, {}
            status, answer, extra = self._apply(envelope)
            if status < 500 and status != 409:
                self.answers[key] = (envelope, status, answer)
            return status, answer, extra

    def _batch(self, data):
        """Section 3 "Batches": each message as if alone, in order, up to the first not 2xx."""
        items = data.get("messages") if isinstance(data, dict) else None
        if not isinstance(items, list) or not 1 <= len(items) <= 100:
            return 400, {"code": "invalid", "detail": "1 to 100 messages", "field": "messages"}
        for n, item in enumerate(items):
            key = item.get("idempotency_key") if isinstance(item, dict) else None
            if not isinstance(key, str) or not 1 <= len(key) <= 100 or not isinstance(item.get("message"), dict):
                return 400, {"code": "invalid", "detail": "idempotency_key and message", "field": f"messages.{n}"}
        if data.get("partnership") != self.client.partnership:
            return 409, {"code": "partnership_conflict", "detail": "", "field": "partnership"}
        results = []
        for item in items:
            status, answer, extra = self._once(item["idempotency_key"], item["message"])
            seq = item["message"].get("seq")
            replayed = extra.get("Idempotent-Replayed") == "true"
            results.append({"seq": seq, "status": status, "replayed": replayed, "reply": answer})
            if status >= 300:
                break
        return 200, {"results": results, "received": len(items)}

    def _apply(self, envelope):
        seq, type_ = envelope.get("seq"), envelope.get("type")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            return 400, {"code": "invalid", "detail": "seq", "field": "seq"}, {}
        if envelope.get("partnership") != self.client.partnership:
            return 409, {"code": "partnership_conflict", "detail": "", "field": "partnership"}, {}
        if seq in self.by_seq:
            first_type, first_payload, answer = self.by_seq[seq]
            if (first_type, first_payload) != (type_, envelope.get("payload")):
                return 422, {"code": "seq_reused", "detail": str(seq), "field": "seq"}, {}
            return 200, answer, {"Idempotent-Replayed": "true"}
        if seq < self.highest_seq():
            return 422, {"code": "seq_out_of_order", "detail": str(seq), "field": "seq"}, {}
        if type_ not in self.known_types:
            return 400, {"code": "unknown_message_type", "detail": str(type_), "field": "type"}, {}
        payload = envelope.get("payload") or {}
        errors = self.schema.errors(type_, payload) if self.schema else []
        if errors:
            return 400, {"code": "invalid_payload", "detail": "; ".join(errors), "field": errors[0].split(":")[0]}, {}
        if type_ == "partner.keys_updated":
            self.client.partner_keys = {key["key_id"]: key["public_key"] for key in payload["keys"]}
            result = {"key_ids": sorted(self.client.partner_keys)}
        elif type_ == "partner.notice":
            result = {"notice": len(self.applied) + 1}
        elif type_.startswith("partnership."):
            result = {"status": type_.split(".")[1]}
        else:
            result = {"recorded": True}
        answer = {"type": type_, "seq": seq, "result": result}
        self.applied.append((seq, type_, payload))
        self.by_seq[seq] = (type_, payload, answer)
        return 200, answer, {}

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                path, _, query = self.path.partition("?")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = dict(self.headers.items())
                status, answer, extra, request = receiver.handle(self.command, path, query, headers, body)
                if status >= 400:
                    receiver.refusals.append((status, answer["code"]))
                raw = json.dumps(answer).encode()
                reply_headers = {
                    "Content-Type": "application/json",
                    "Content-Digest": signing.content_digest(raw),
                    **extra,
                }
                if receiver.client.version:  # a 1.0 partner sends no version
                    reply_headers["Partner-Protocol"] = receiver.client.version
                reply = {"status": status, "headers": reply_headers}
                bound = "signature" in {key.lower() for key in headers} and status < 400
                components = signing.reply_components(reply_headers, bound=bound)
                try:
                    signing.sign(reply, receiver.client.signing_key, components, request=request)
                except signing.SignatureError:
                    signing.sign(
                        reply, receiver.client.signing_key, signing.reply_components(reply_headers, bound=False)
                    )
                self.send_response(status)
                for name, value in reply["headers"].items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            do_POST = do_GET = _serve

            def log_message(self, *args):
                pass

        return Handler
