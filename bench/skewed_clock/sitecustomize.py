"""A process whose clock is off: on the import path (PYTHONPATH) of an instance's process, it
shifts time.time() and datetime's now() by CROSSBORDER_BENCH_CLOCK_OFFSET seconds, for the clock-skew
scenario of bench/resilience.py. Without that variable it changes nothing."""

import datetime as _dt
import os
import time as _time

_offset = float(os.environ.get("CROSSBORDER_BENCH_CLOCK_OFFSET") or 0)

if _offset:
    _real_datetime = _dt.datetime
    _real_time, _real_time_ns = _time.time, _time.time_ns
    _delta = _dt.timedelta(seconds=_offset)

    class _SkewedMeta(type(_real_datetime)):
        def __instancecheck__(cls, obj):
            return isinstance(obj, _real_datetime)

        def __subclasscheck__(cls, sub):
            return issubclass(sub, _real_datetime)

    class _SkewedDatetime(_real_datetime, metaclass=_SkewedMeta):
        @classmethod
        def now(cls, tz=None):
            return _real_datetime.now(tz) + _delta

        @classmethod
        def utcnow(cls):
            return _real_datetime.now(_dt.UTC).replace(tzinfo=None) + _delta

        @classmethod
        def today(cls):
            return cls.now()

    _time.time = lambda: _real_time() + _offset
    _time.time_ns = lambda: _real_time_ns() + int(_offset * 1e9)
    _dt.datetime = _SkewedDatetime
