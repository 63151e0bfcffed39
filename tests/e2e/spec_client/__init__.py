"""A second partner implementation, written from the specification alone (docs/partner-protocol.md,
the generated OpenAPI schema and the README), as a platform in another language would: it imports
nothing from this project. `signing` is RFC 9421 with Ed25519, `client` calls a platform's partner
API, `receiver` is a partner's own endpoint that takes the platform's messages."""
