"""Partner messages of logistics: the nightly handoff's sales and stock reports, which the importer
sends and we, the exporter, record. Registered when the app is ready."""

from rest_framework import serializers

from crossborder import bounds, messages

from ..services import handoff


class ReportLines(serializers.ListField):
    """A list of objects, as ListField(child=DictField()) checks it, but a list of JSON objects
    (what a parsed body holds) is taken as it is: the DictField copied every value of every line
    through a field of its own, a sixth of a 5,000-line part's time at the receiver. Anything else
    goes the usual way, with the usual errors."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.DictField(), **kwargs)

    def to_internal_value(self, data):
        if type(data) is list and all(type(line) is dict for line in data):
            return data
        return super().to_internal_value(data)


class HandoffReportPayload(serializers.Serializer):
    """One report, or one part of a long one (`offset` is the index of its first line in the whole)."""

    period_start = serializers.DateTimeField(allow_null=True, required=False)
    period_end = serializers.DateTimeField()
    part = serializers.IntegerField(default=1, **bounds.of_type("PositiveIntegerField", min_value=1))
    parts = serializers.IntegerField(default=1, **bounds.of_type("PositiveIntegerField", min_value=1))
    offset = serializers.IntegerField(default=0, **bounds.of_type("PositiveIntegerField", min_value=0))
    total_lines = serializers.IntegerField(required=False, **bounds.of_type("PositiveIntegerField", min_value=0))
    # Each line is checked by the service, which names the first bad line and field.
    lines = ReportLines(allow_empty=True, max_length=handoff.LINES_PER_MESSAGE)


def _answer(report):
    return {"report": report.pk, "lines": report.line_count, "discrepancies": report.discrepancies}


@messages.register(
    handoff.SALES_REPORT,
    payload_serializer=HandoffReportPayload,
    description="Consignment sales report: per SKU units sold, returned, written off and sent back in the period.",
)
def receive_sales_report(*, partnership, payload, seq):
    return _answer(handoff.record_sales_report(partnership=partnership, payload=payload))


@messages.register(
    handoff.STOCK_REPORT,
    payload_serializer=HandoffReportPayload,
    description="Stock report: per SKU on hand, reserved, sellable, sold since the last report, ages.",
)
def receive_stock_report(*, partnership, payload, seq):
    return _answer(handoff.record_stock_report(partnership=partnership, payload=payload))
