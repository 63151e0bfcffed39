"""The stand-ins of the real payment providers and a real SMTP server, for every payments test
that asks for one."""

from tests.smtp_server import eager_tasks, smtp_server  # noqa: F401

from .standins.fixtures import alipay_keys, alipay_standin, stripe_standin  # noqa: F401
