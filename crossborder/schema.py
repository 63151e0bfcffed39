"""How the OpenAPI schema describes the partner API's signature authentication."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


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
