"""Local HTTP stand-ins for the real payment providers: small servers on 127.0.0.1 that answer the
providers' documented requests and produce their documented, signed webhooks, so the adapters are
tested through the official SDKs without reaching the providers."""
