"""Order and payment tokens never reach a log line: Django's request logging (through the console
handler's filter, as settings configure it) and gunicorn's access log (through its logger class, as
the Dockerfile and scripts/instances.py start it)."""

import datetime as dt
import io
import logging
from types import SimpleNamespace

import pytest
from django.conf import settings
from gunicorn.config import Config

from crossborder.gunicorn_logging import RedactingLogger
from crossborder.logs import MASK, RedactTokens, redact

ORDER = "Xq3_kV9-abcDEFghiJKLmnoPQ"
PAYMENT = "p4Y-mEnT_t0kEn1234567890"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"GET /orders/{ORDER}/ HTTP/1.1", f"GET /orders/{MASK}/ HTTP/1.1"),
        (f"GET /en/orders/{ORDER}/pay/?provider=x", f"GET /en/orders/{MASK}/pay/?provider=x"),
        (f"/pay/{PAYMENT}/status/", f"/pay/{MASK}/status/"),
        (f"/pay/{PAYMENT}/return/?x=1", f"/pay/{MASK}/return/?x=1"),
        (f"/pay/sandbox/wallet/{PAYMENT}/", f"/pay/sandbox/wallet/{MASK}/"),
        (f"/api/shop/v1/orders/{ORDER}/", f"/api/shop/v1/orders/{MASK}/"),
        (f"/admin/login/?next=%2Forders%2F{ORDER}%2F", f"/admin/login/?next=%2Forders%2F{MASK}%2F"),
        (f"http://shop.example/orders/{ORDER}", f"http://shop.example/orders/{MASK}"),
        ("POST /api/shop/v1/orders/ HTTP/1.1", "POST /api/shop/v1/orders/ HTTP/1.1"),
        ("GET /c/123/?page=2", "GET /c/123/?page=2"),
    ],
)
def test_redact_masks_the_token_segment_and_nothing_else(line, expected):
    assert redact(line) == expected


def configured_console_handler():
    handlers = [h for h in logging.getLogger().handlers if any(isinstance(f, RedactTokens) for f in h.filters)]
    assert handlers, "the console handler of settings.LOGGING has no RedactTokens filter"
    return handlers[0]


@pytest.mark.django_db
def test_a_404_for_an_order_page_is_logged_by_django_without_its_token(client):
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["redact_tokens"]
    handler = configured_console_handler()
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        assert client.get(f"/orders/{ORDER}/").status_code == 404
        assert client.get(f"/api/shop/v1/orders/{ORDER}/").status_code == 404
    finally:
        handler.setStream(old)
    logged = stream.getvalue()
    assert "Not Found" in logged and f"/orders/{MASK}/" in logged
    assert ORDER not in logged


def test_gunicorn_access_log_lines_carry_no_token():
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s %(q)s %({location}o)s')
    logger = RedactingLogger(config)
    stream = io.StringIO()
    for handler in logger.access_log.handlers:
        handler.setStream(stream)
    environ = {
        "REMOTE_ADDR": "198.51.100.1",
        "REQUEST_METHOD": "POST",
        "RAW_URI": f"/orders/{ORDER}/pay/?provider=sandbox_card",
        "PATH_INFO": f"/orders/{ORDER}/pay/",
        "QUERY_STRING": f"next=%2Fpay%2F{PAYMENT}%2F",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://shop.example/orders/{ORDER}/",
    }
    response = SimpleNamespace(status="302 Found", headers=[("Location", f"/pay/{PAYMENT}/")], sent=0)
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    logger.access(response, request, environ, dt.timedelta(milliseconds=5))

    line = stream.getvalue()
    assert f'"POST /orders/{MASK}/pay/?provider=sandbox_card HTTP/1.1" 302' in line
    assert f"/pay/{MASK}/" in line
    assert ORDER not in line and PAYMENT not in line


def test_every_way_of_starting_gunicorn_uses_the_redacting_logger():
    for path in ("Dockerfile", "scripts/instances.py"):
        text = (settings.BASE_DIR / path).read_text()
        assert "crossborder.gunicorn_logging.RedactingLogger" in text, path


def test_the_celery_worker_logs_through_the_same_filter():
    from celery.signals import after_setup_logger, after_setup_task_logger

    import crossborder.celery  # noqa: F401 - the production app registers the receivers

    for signal in (after_setup_logger, after_setup_task_logger):
        logger = logging.getLogger(f"test-celery-{id(signal)}")
        stream = io.StringIO()
        logger.addHandler(logging.StreamHandler(stream))
        logger.propagate = False
        signal.send(sender=None, logger=logger, loglevel=logging.INFO, logfile=None, format="", colorize=False)
        logger.warning("payment %s", f"https://shop.example/pay/{PAYMENT}/status/")
        assert PAYMENT not in stream.getvalue() and f"/pay/{MASK}/status/" in stream.getvalue()
