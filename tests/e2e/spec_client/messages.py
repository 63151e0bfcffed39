"""The business messages of docs/partner-protocol.md sections 4 and 8, from the page and the OpenAPI
schema alone: the list of types, each payload's schema (`<Type>Payload`, section 4), a schema-valid
payload for each type this partner sends, and what a reply may be (section 8's `result` and codes)."""

import datetime as dt
import re
import uuid
from pathlib import Path

import jsonschema

DOC = Path(__file__).resolve().parents[3] / "docs" / "partner-protocol.md"


def _section(text, number):
    start = text.index(f"\n## {number}. ")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def _rows(section):
    """The rows of a section's first table: lists of cells, header and rule left out."""
    lines = section.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith("|"))
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append(line)
    rows = [line.strip().strip("|").split("|") for line in table if line.startswith("| `")]
    return [[cell.strip() for cell in row] for row in rows]


def doc_types(doc=DOC):
    """Section 4's business names: {type: former name or None}."""
    rows = _rows(_section(doc.read_text(), 4))
    return {row[0].strip("`"): (row[1].strip("`") or None) for row in rows}


def doc_replies(doc=DOC):
    """Section 8: {type: (result keys named, the type's own error codes)}."""
    replies = {}
    for row in _rows(_section(doc.read_text(), 8)):
        result, depth = "", 0
        for char in re.search(r"`([^`]*)`", row[1]).group(1):  # its first code span, top level only
            depth += char == "{"
            result += char if depth <= 1 else ""
            depth -= char == "}"
        keys = set(re.findall(r'"([a-z_]+)"', result))
        codes = set(re.findall(r"`([a-z_]+)`", row[2]))
        replies[row[0].strip("`")] = (keys, codes)
    return replies


def schema_name(type_):
    """`aged_stock.carried_out` -> `AgedStockCarriedOutPayload` (section 4)."""
    return "".join(part.capitalize() for part in re.split(r"[._]", type_)) + "Payload"


def _nullable(node):
    """OpenAPI 3.0's `nullable: true` as JSON Schema's null type."""
    if isinstance(node, list):
        return [_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
        if "enum" in node:
            node["enum"] = [*node["enum"], None]
        if "allOf" in node or "$ref" in node:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


class Schema:
    """The OpenAPI schema's payload components, to validate a payload against its type's."""

    def __init__(self, openapi):
        self.components = _nullable(openapi["components"])

    def has(self, type_):
        return schema_name(type_) in self.components["schemas"]

    def errors(self, type_, payload):
        """The schema errors of one payload, as `payload.<path>: message` strings (none: valid)."""
        root = {"$ref": f"#/components/schemas/{schema_name(type_)}", "components": self.components}
        validator = jsonschema.Draft202012Validator(root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        return [
            f"payload.{'.'.join(map(str, error.absolute_path))}: {error.message}"
            for error in validator.iter_errors(payload)
        ]


# --- payloads this partner sends -------------------------------------------------------------------


def _now():
    return dt.datetime.now(dt.UTC)


def payloads(ctx):
    """One schema-valid payload per type we send, from what we know (`ctx`: the platform's product
    and SKU from its catalog feed, our order, the references it sent us)."""
    now, today = _now(), _now().date()
    line = f"{ctx['order_number']}-1"
    return {
        "partner.notice": {"subject": "hello from spec", "body": "written from the spec"},
        "partner.alert": {"subject": "Warehouse flooded", "body": "no pickups today", "severity": "critical"},
        "partner.metrics": {
            "figures": {
                "settlements": 12,
                "settlements_late": 1,
                "orders_forwarded": 40,
                "orders_shipped": 38,
                "orders_shipped_late": 2,
                "sales_to_partner_previous": 80,
                "sales_to_partner_current": 90,
                "sales_to_partner_growth_percent": "12.50",
            }
        },  # fmt: skip
        "demand.report": {
            "day": today.isoformat(),
            "window_days": 7,
            "min_shoppers": 1,
            "few_results": 3,
            "searches": [{"query": "trinkflasche", "searches": 9, "shoppers": 4, "results": 0, "category": None}],
            "products": [
                {
                    "product": ctx["product"],
                    "skus": [ctx["sku"]],
                    "title": "Water bottle 1",
                    "views": 30,
                    "viewers": 12,
                    "orders": 2,
                    "units": 2,
                    "returns": [{"sku": ctx["sku"], "reason": "damaged", "units": 1, "shoppers": 1}],
                }
            ],
        },  # fmt: skip
        "order.forwarded": {
            "order": ctx["order"],
            "number": ctx["order_number"],
            "placed_at": now.isoformat(),
            "lines": [
                {
                    "reference": line,
                    "product": ctx["product"],
                    "sku": ctx["sku"],
                    "title": "Water bottle 1",
                    "quantity": 1,
                    "fulfilment": "direct",
                    "export_amount": {"amount": "12.50", "currency": "USD"},
                }
            ],  # fmt: skip
            "recipient": {
                "name": "Anna Berg",
                "phone": "+49301234567",
                "address_lines": ["Hauptstr. 1"],
                "city": "Berlin",
                "postcode": "10115",
                "country": "DE",
            },  # fmt: skip
        },
        "order.status": {"order": ctx["order"], "status": "delivered", "lines": [line]},
        "delivery.tracking": {
            "order_line": line,
            "sku": ctx["sku"],
            "carrier": "dhl",
            "tracking_number": "DE1",
            "events": [
                {
                    "event_id": "e-1",
                    "status": "delivered",
                    "description": "handed over",
                    "location": "Berlin",
                    "occurred_at": now.isoformat(),
                }
            ],
        },  # fmt: skip
        "return.notice": {
            "order": ctx["order"],
            "order_number": ctx["order_number"],
            "step": "opened",
            "kind": "return",
            "reason": "wrong_size",
            "at": now.isoformat(),
            "lines": [{"line": line, "sku": ctx["sku"], "quantity": 1}],
            "return": ctx["return"],
        },  # fmt: skip
        "return.disposition": {
            "unit": f"{line}-u1",
            "order_line": line,
            "product": ctx["product"],
            "sku": ctx["sku"],
            "grade": "good",
            "disposition": "restock",
            "reason": "as new",
            "by_rule": True,
            "decided_at": now.isoformat(),
        },  # fmt: skip
        "review.shared": {
            "reference": ctx["review"],
            "product": ctx["product"],
            "product_of": "receiver",
            "language": ctx["language"],
            "rating": 5,
            "title": "Dicht und leicht",
            "text": "Hält kalt.",
            "author_name": "Anna B.",
            "photos": [],
            "version": 1,
            "written_at": now.isoformat(),
        },  # fmt: skip
        "review.withdrawn": {"reference": ctx["review"], "reason": "the author asked"},
        "charge.notice": {
            "reference": f"charge-{ctx['order_number']}",
            "kind": "service_fee",
            "amount": "5.00",
            "currency": "USD",
        },  # fmt: skip
        "compliance.breach": {
            "term": "order_shipped",
            "severity": "breach",
            "reference": f"breach-{ctx['order']}",
            "due_at": (now - dt.timedelta(days=1)).isoformat(),
            "observed_at": now.isoformat(),
            "evidence": "order line shipped two days late",
        },  # fmt: skip
        "campaign.proposal": {
            "reference": ctx["campaign"],
            "festival": None,
            "title": "Sommerfest",
            "starts_on": (today + dt.timedelta(days=7)).isoformat(),
            "ends_on": (today + dt.timedelta(days=14)).isoformat(),
            "suggested_discount_percent": "10.00",
            "partner_share_percent": "5.00",
            "products": [ctx["own_product"]],
        },  # fmt: skip
        "campaign.decision": {
            "reference": ctx["their_campaign"],
            "decision": "accepted",
            "discount_percent": "10.00",
            "reason": "",
        },  # fmt: skip
        "shipment.notice": {
            "consignment": ctx["consignment"],
            "destination": "",
            "carrier": "dhl",
            "tracking_number": "C-1",
            "cartons": 1,
            "gross_weight_grams": 5000,
            "eta": None,
            "lines": [{"sku": ctx["own_sku"], "quantity": 10, "title": "Becher"}],
        },  # fmt: skip
        "shipment.receipt": {
            "consignment": ctx["their_consignment"],
            "received_at": now.isoformat(),
            "lines": [{"sku": ctx["sku"], "shipped": 2, "counted": 2, "good": 2}],
            "unlisted": [],
        },  # fmt: skip
        "aged_stock.proposal": {
            "actions": [
                {
                    "reference": ctx["aged"],
                    "sku": ctx["sku"],
                    "quantity": 1,
                    "oldest_age_days": 200,
                    "threshold_days": 180,
                    "action": "markdown",
                    "markdown_percent": 20,
                }
            ]
        },  # fmt: skip
        "aged_stock.decision": {
            "reference": ctx["their_aged"],
            "decision": "agreed",
            "action": "markdown",
            "markdown_percent": 20,
        },  # fmt: skip
        "aged_stock.carried_out": {"reference": ctx["their_aged"], "action": "markdown", "quantity": 1},
        "sales.report": {
            "period_start": None,
            "period_end": now.isoformat(),
            "part": 1,
            "parts": 1,
            "offset": 0,
            "total_lines": 1,
            "lines": [{"sku": ctx["sku"], "sold": 1, "returned": 0, "written_off": 0, "sent_back": 0}],
        },  # fmt: skip
        "stock.report": {
            "period_start": None,
            "period_end": now.isoformat(),
            "part": 1,
            "parts": 1,
            "offset": 0,
            "total_lines": 1,
            "lines": [
                {
                    "sku": ctx["sku"],
                    "on_hand": 1,
                    "reserved": 0,
                    "sold_since_last_report": 1,
                    "oldest_unit_age_days": 3,
                    "age_buckets": {"0-90": 1},
                }
            ],
        },  # fmt: skip
        "settlement.statement": {
            "batch_reference": ctx["batch"],
            "period_start": None,
            "period_end": now.isoformat(),
            "currency": "USD",
            "net_amount": "0.00",
            "currency_totals": {},
            "part": 1,
            "parts": 1,
            "lines": [],
        },  # fmt: skip
        "partnership.suspended": {"reason": "stock count"},
        "partnership.resumed": {"reason": "counted"},
        "partnership.accepted": {"reason": ""},
        "partnership.declined": {"reason": ""},
        "partnership.ended": {"reason": "closing down"},
    }


def new_context(*, product, sku, language="en"):
    return {
        "product": product,
        "sku": sku,
        "language": language,  # one of the receiving platform's languages (section 4)
        "order": str(uuid.uuid4()),
        "order_number": f"SP-{uuid.uuid4().hex[:6]}",
        "return": str(uuid.uuid4()),
        "review": str(uuid.uuid4()),
        "campaign": str(uuid.uuid4()),
        "consignment": str(uuid.uuid4()),
        "aged": str(uuid.uuid4()),
        "batch": str(uuid.uuid4()),
        "own_product": str(uuid.uuid4()),
        "own_sku": "SP-MUG-1",
        "their_campaign": str(uuid.uuid4()),
        "their_consignment": str(uuid.uuid4()),
        "their_aged": str(uuid.uuid4()),
    }
