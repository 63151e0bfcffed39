"""The stand-ins of the real payment providers, for every payments test that asks for one."""

from .standins.fixtures import alipay_keys, alipay_standin, stripe_standin  # noqa: F401
