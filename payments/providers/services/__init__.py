"""The payment service: payments at providers, their webhooks, capture, refund and void."""
