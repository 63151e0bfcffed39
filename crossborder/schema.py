"""How the OpenAPI schema describes the partner API's signature authentication."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension


class PartnerSignatureScheme(OpenApiAuthenticationExtension):
    target_class = "crossborder.authentication.PartnerSignatureAuthentication"
    name = "partnerSignature"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Signature",
            "description": (
                "RFC 9421 HTTP Message Signature with Ed25519 under the label `partner`, with "
                "`Signature-Input` covering @method, @authority, @path, @query, content-digest and "
                "content-type, and the parameters created, expires (at most 300 s later), nonce, keyid and "
                'tag="crossborder-partner-api-v1". Replies are signed the same way and bound to the request.'
            ),
        }


class AnyOfSerializer(OpenApiSerializerExtension):
    """A serializer whose valid inputs need one of several fields (`schema_any_of`, a list of
    schemas): the schema says so, as its `validate` does."""

    target_class = "rest_framework.serializers.Serializer"
    match_subclasses = True
    priority = -1

    @classmethod
    def _matches(cls, target):
        return super()._matches(target) and bool(getattr(target, "schema_any_of", None))

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        if direction == "request":
            schema["anyOf"] = self.target.schema_any_of
        return schema


_payload_classes = {}


def message_label(name):
    """The component name of a message type's business name: charge.notice -> ChargeNotice."""
    return "".join(part.title() for part in name.replace("_", ".").split("."))


def payload_serializer_class(kind):
    """The type's payload serializer under a name of its own (`ChargeNoticePayload`), so that two
    apps' payload classes of the same name stay two components."""
    if kind.name not in _payload_classes:
        label = f"{message_label(kind.name)}Payload"
        _payload_classes[kind.name] = type(label, (kind.payload_serializer,), {"__doc__": kind.description})
    return _payload_classes[kind.name]


class EnvelopeSchema(OpenApiSerializerExtension):
    """The message envelope as a discriminated union by `type`: one variant per registered message
    type (`<Type>Message`), each with its payload's schema generated from the type's serializer.
    A former name (messages.FORMER_NAMES) maps to its current type's variant."""

    target_class = "crossborder.serializers.EnvelopeSerializer"

    def map_serializer(self, auto_schema, direction):
        from drf_spectacular.plumbing import ResolvedComponent

        from . import messages

        base = auto_schema._map_basic_serializer(self.target, direction)
        formers = {}
        for former, current in messages.FORMER_NAMES.items():
            formers.setdefault(current, []).append(former)
        variants, mapping = [], {}
        for name in messages.names():
            kind = messages.get(name)
            payload = auto_schema.resolve_serializer(payload_serializer_class(kind), direction)
            names = [name, *sorted(formers.get(name, []))]
            schema = {
                "type": "object",
                "description": kind.description,
                "properties": {
                    **base["properties"],
                    "type": {
                        "type": "string",
                        "enum": names,
                        "description": base["properties"]["type"].get("description", ""),
                    },
                    "payload": payload.ref,
                },
                "required": base.get("required", []),
            }
            component = ResolvedComponent(
                name=f"{message_label(name)}Message",
                type=ResolvedComponent.SCHEMA,
                object=f"message:{name}",
                schema=schema,
            )
            auto_schema.registry.register_on_missing(component)
            variants.append(component.ref)
            for each in names:
                mapping[each] = component.ref["$ref"]
        return {"oneOf": variants, "discriminator": {"propertyName": "type", "mapping": mapping}}
