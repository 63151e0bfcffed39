"""A stand-in for Alipay's open API gateway (the face-to-face QR flow), after Alipay's documentation:

- GET/POST /gateway.do with the common parameters (app_id, method, charset, sign_type=RSA2,
  timestamp, version, biz_content JSON, notify_url) signed RSA2 with the app's private key: the
  stand-in checks that signature with the app's public key;
- alipay.trade.precreate (answers qr_code; a repeat of the same out_trade_no answers the same code),
  alipay.trade.query (ACQ.TRADE_NOT_EXIST until the shopper scans), alipay.trade.refund (once per
  out_request_no; a repeat answers fund_change N), alipay.trade.cancel (action close or refund);
- answers `{"<method>_response": {...}, "sign": ...}` where sign is RSA2 over the exact JSON text of
  the response object, with the stand-in's "Alipay" private key;
- asynchronous notifications: form-encoded trade_status_sync notices, signed RSA2 over the sorted
  `k=v` pairs other than sign and sign_type, queued for the test to deliver to notify_url.

The shopper "scans and pays" with `pay(out_trade_no)` (GET /qr/<out_trade_no> does the same)."""

import base64
import itertools
import json
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit

from Cryptodome.Hash import SHA256
from Cryptodome.PublicKey import RSA
from Cryptodome.Signature import PKCS1_v1_5

from .base import StandIn

_numbers = itertools.count(1)


def rsa2_sign(private_key, text: str) -> str:
    return base64.b64encode(PKCS1_v1_5.new(private_key).sign(SHA256.new(text.encode()))).decode()


def rsa2_verify(public_key, text: str, signature: str) -> bool:
    try:
        return PKCS1_v1_5.new(public_key).verify(SHA256.new(text.encode()), base64.b64decode(signature))
    except (ValueError, TypeError):
        return False


def signed_content(params, *, leave_out=("sign",)):
    return "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in leave_out and v != "")


class AlipayStandIn(StandIn):
    def __init__(self, *, app_id, app_public_key_pem, alipay_private_key_pem):
        super().__init__()
        self.app_id = app_id
        self.app_public_key = RSA.import_key(app_public_key_pem)
        self.alipay_key = RSA.import_key(alipay_private_key_pem)
        self.trades = {}  # out_trade_no -> trade
        self.refund_requests = {}  # (out_trade_no, out_request_no) -> refund amount
        self.done = {"precreate": 0, "refund": 0, "cancel": 0}
        self.notices = []  # (notify_url, form body bytes)
        self.refused_signatures = 0

    def answer(self, method, path, headers, body):
        url = urlsplit(path)
        if url.path.startswith("/qr/"):
            self.pay(url.path.removeprefix("/qr/"))
            return 200, {"Content-Type": "text/plain"}, "支付成功".encode()
        params = dict(parse_qsl(url.query if method == "GET" else body.decode(), keep_blank_values=True))
        api = params.get("method", "")
        response_key = api.replace(".", "_") + "_response"
        if params.get("app_id") != self.app_id or not rsa2_verify(
            self.app_public_key, signed_content(params), params.get("sign", "")
        ):
            self.refused_signatures += 1
            error = {"code": "40002", "msg": "Invalid Arguments", "sub_code": "isv.invalid-signature",
                     "sub_msg": "验签出错"}  # fmt: skip
            return 200, {"Content-Type": "application/json"}, json.dumps({"error_response": error}).encode()
        biz = json.loads(params.get("biz_content") or "{}")
        handler = {
            "alipay.trade.precreate": self._precreate,
            "alipay.trade.query": self._query,
            "alipay.trade.refund": self._refund,
            "alipay.trade.cancel": self._cancel,
        }.get(api)
        content = handler(biz, params) if handler else self._failure("isv.invalid-method", "不存在的方法名")
        text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        payload = f'{{"{response_key}":{text},"sign":"{rsa2_sign(self.alipay_key, text)}"}}'
        return 200, {"Content-Type": "application/json; charset=utf-8"}, payload.encode()

    @staticmethod
    def _failure(sub_code, sub_msg, code="40004"):
        return {"code": code, "msg": "Business Failed", "sub_code": sub_code, "sub_msg": sub_msg}

    def _precreate(self, biz, params):
        out_trade_no = biz["out_trade_no"]
        trade = self.trades.get(out_trade_no)
        if trade is not None and trade["total_amount"] != biz["total_amount"]:
            return self._failure("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改")
        if trade is None:
            trade = self.trades[out_trade_no] = {
                "out_trade_no": out_trade_no,
                "total_amount": biz["total_amount"],
                "subject": biz["subject"],
                "notify_url": params.get("notify_url", ""),
                "status": "NOT_SCANNED",
                "trade_no": "",
                "refund_fee": Decimal("0.00"),
            }
            self.done["precreate"] += 1
        return {"code": "10000", "msg": "Success", "out_trade_no": out_trade_no,
                "qr_code": f"{self.base_url}/qr/{out_trade_no}"}  # fmt: skip

    def _query(self, biz, params):
        trade = self.trades.get(biz.get("out_trade_no", ""))
        if trade is None or trade["status"] == "NOT_SCANNED":
            return self._failure("ACQ.TRADE_NOT_EXIST", "交易不存在")
        return {
            "code": "10000",
            "msg": "Success",
            "out_trade_no": trade["out_trade_no"],
            "trade_no": trade["trade_no"],
            "trade_status": trade["status"],
            "total_amount": trade["total_amount"],
            "buyer_logon_id": "sho***@example.com",
        }

    def _refund(self, biz, params):
        trade = self.trades.get(biz.get("out_trade_no", ""))
        if trade is None or trade["status"] not in ("TRADE_SUCCESS", "TRADE_CLOSED") or not trade["trade_no"]:
            return self._failure("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
        amount = Decimal(biz["refund_amount"])
        key = (trade["out_trade_no"], biz.get("out_request_no", trade["out_trade_no"]))
        fund_change = "N"
        if key in self.refund_requests:
            if self.refund_requests[key] != amount:
                return self._failure("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额与之前请求不一致")
        else:
            if amount <= 0 or trade["refund_fee"] + amount > Decimal(trade["total_amount"]):
                return self._failure("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限")
            self.refund_requests[key] = amount
            trade["refund_fee"] += amount
            if trade["refund_fee"] == Decimal(trade["total_amount"]):
                trade["status"] = "TRADE_CLOSED"
            self.done["refund"] += 1
            fund_change = "Y"
            self._notify(trade, out_biz_no=key[1], refund_fee=str(trade["refund_fee"]),
                         gmt_refund="2026-12-06 10:00:00.000")  # fmt: skip
        return {"code": "10000", "msg": "Success", "out_trade_no": trade["out_trade_no"],
                "trade_no": trade["trade_no"], "fund_change": fund_change,
                "refund_fee": str(trade["refund_fee"])}  # fmt: skip

    def _cancel(self, biz, params):
        out_trade_no = biz.get("out_trade_no", "")
        trade = self.trades.get(out_trade_no)
        action = ""
        if trade is not None and trade["status"] in ("NOT_SCANNED", "WAIT_BUYER_PAY"):
            trade["status"], action = "TRADE_CLOSED", "close"
            self.done["cancel"] += 1
        elif trade is not None and trade["status"] == "TRADE_SUCCESS":
            trade["refund_fee"] = Decimal(trade["total_amount"])
            trade["status"], action = "TRADE_CLOSED", "refund"
            self.done["cancel"] += 1
        return {"code": "10000", "msg": "Success", "out_trade_no": out_trade_no, "retry_flag": "N",
                "action": action}  # fmt: skip

    # --- the shopper and the notifications -------------------------------------------------------

    def pay(self, out_trade_no):
        """The shopper scans the QR code and pays in the Alipay app."""
        with self.lock:
            trade = self.trades[out_trade_no]
            if trade["status"] != "NOT_SCANNED":
                return trade
            trade.update(status="TRADE_SUCCESS", trade_no=f"2026120622001{next(_numbers):015d}")
            self._notify(trade, gmt_payment="2026-12-06 09:30:00", receipt_amount=trade["total_amount"],
                         buyer_pay_amount=trade["total_amount"])  # fmt: skip
            return trade

    def _notify(self, trade, **extra):
        fields = {
            "notify_time": "2026-12-06 09:30:01",
            "notify_type": "trade_status_sync",
            "notify_id": f"ntf{next(_numbers):020d}",
            "app_id": self.app_id,
            "charset": "utf-8",
            "version": "1.0",
            "trade_no": trade["trade_no"],
            "out_trade_no": trade["out_trade_no"],
            "trade_status": trade["status"],
            "total_amount": trade["total_amount"],
            "subject": trade["subject"],
            **extra,
        }
        fields["sign"] = rsa2_sign(self.alipay_key, signed_content(fields))
        fields["sign_type"] = "RSA2"
        self.notices.append((trade["notify_url"], urlencode(fields).encode()))

    def take_notices(self):
        with self.lock:
            notices, self.notices = self.notices, []
        return notices
