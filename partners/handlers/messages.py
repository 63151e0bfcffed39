"""`partner.metrics`: a platform's own figures, sent signed when it links, kept as its prospect
entry and scored beside current partners. `compliance.breach`: a breach of the agreement (or a
warning) the partner observed on our side, kept as a notice for our ops."""

from rest_framework import serializers

from crossborder import messages
from crossborder import services as core

from .. import scoring
from ..errors import PartnersError
from ..models import ComplianceBreach
from ..services import compliance, prospects


class FiguresPayload(serializers.Serializer):
    """The figures, each a whole number from 0 (scoring.Figures); `<series>_growth_percent` only with
    an earlier period to grow from."""

    locals().update(
        {
            name: serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=scoring.MAX_COUNT)
            for name in scoring.FIGURE_NAMES
        }
    )
    locals().update(
        {
            f"{series}_growth_percent": serializers.DecimalField(
                max_digits=8, decimal_places=2, required=False, allow_null=True
            )
            for series in scoring.GROWTH_SERIES
        }
    )


class MetricsPayload(serializers.Serializer):
    figures = FiguresPayload()

    def validate(self, data):
        raw = self.initial_data.get("figures")
        unknown = sorted(set(raw) - set(self.fields["figures"].fields))
        if unknown:
            raise serializers.ValidationError({"figures": {unknown[0]: ["Unknown figure."]}})
        try:
            scoring.parse_figures({key: value for key, value in raw.items() if value is not None})
        except PartnersError as exc:
            raise serializers.ValidationError({"figures": {exc.field: [str(exc.detail)]}}) from None
        return data


@messages.register(
    prospects.METRICS_MESSAGE,
    payload_serializer=MetricsPayload,
    description="The sender's own figures (settlement, orders, growth, catalog, returns, reviews), for the "
    "receiver to score it as a prospective partner; impossible values are refused with the figure named.",
)
def receive_metrics(*, partnership, payload, seq):
    payload = {"figures": {key: value for key, value in payload["figures"].items() if value is not None}}
    prospect, scores = prospects.receive_metrics(partnership=partnership, payload=payload)
    return {
        "prospect": prospect.code,
        "scores": {row.kind: None if row.value is None else str(row.value) for row in scores},
    }


class BreachPayload(serializers.Serializer):
    term = serializers.ChoiceField(choices=ComplianceBreach.Term.choices)
    severity = serializers.ChoiceField(choices=ComplianceBreach.Severity.choices)
    reference = serializers.CharField(max_length=160)
    due_at = serializers.DateTimeField(allow_null=True)
    observed_at = serializers.DateTimeField()
    evidence = serializers.CharField(max_length=2000)


@messages.register(
    compliance.BREACH_MESSAGE,
    payload_serializer=BreachPayload,
    description="A breach of an agreement term the sender observed (with its evidence), or its warning that "
    "breaches reached the threshold that suspends the zone.",
)
def receive_breach(*, partnership, payload, seq):
    notice = core.record_received_notice(
        partnership=partnership,
        subject=f"Compliance {payload['severity']}: {payload['term']} ({payload['reference']})"[:200],
        body=payload["evidence"],
        seq=seq,
    )
    return {"notice": notice.pk}
