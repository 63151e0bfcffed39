"""The one way an earlier app lets a later one act (DESIGN.md section 2; docs/adr/0014): a `Hook`.

An earlier app declares a hook in its own `hooks.py` and fires it from its services; a later app
subscribes from its AppConfig.ready (through its handlers package). Each hook declares when its
subscribers run and what a subscriber's failure does:

- `Hook.INLINE`: at once, in the caller's transaction if it has one. What a subscriber writes
  commits or rolls back with the caller's change; by default a subscriber's error propagates, so it
  refuses (rolls back) the caller's change. `fire` returns the subscribers' answers in order.
- `Hook.AFTER_COMMIT`: once the caller's transaction has committed (transaction.on_commit; at
  once when there is none). A subscriber's error is logged with the hook's name and not raised:
  the caller's change stands. Not for anything that must not be lost (a crash between the commit
  and the callback loses it): that goes through the outbox, or is recomputed by a task.

`on_failure` says what a subscriber's error does: `Hook.RAISE` (the default inline) or `Hook.LOG`
(always after commit; inline only for a hook its caller fires once its own change has committed,
so that nothing is left to roll back). Under LOG each subscriber runs in a savepoint of its own: a
database error in one is rolled back without poisoning the connection or stopping the others.

Every hook is in a registry (`all_hooks`), so a test can assert that each one has a subscriber
once every app is ready: a hook nobody subscribes to in production is a defect."""

import logging

from django.db import transaction
from django.utils.module_loading import autodiscover_modules

log = logging.getLogger(__name__)

_registry: dict[str, "Hook"] = {}


class Hook:
    INLINE = "inline"
    AFTER_COMMIT = "after_commit"
    RAISE = "raise"
    LOG = "log"

    def __init__(self, name, *, runs, on_failure=None):
        on_failure = on_failure or (self.RAISE if runs == self.INLINE else self.LOG)
        if runs not in (self.INLINE, self.AFTER_COMMIT) or on_failure not in (self.RAISE, self.LOG):
            raise ValueError(f"hook {name!r}: runs is Hook.INLINE or Hook.AFTER_COMMIT, on_failure RAISE or LOG")
        if runs == self.AFTER_COMMIT and on_failure == self.RAISE:
            raise ValueError(f"hook {name!r}: after the commit there is no caller left to raise to")
        if name in _registry:
            raise RuntimeError(f"hook {name!r} is declared twice")
        self.name, self.runs, self.on_failure = name, runs, on_failure
        self._subscribers = []
        _registry[name] = self

    def __repr__(self):
        return f"<Hook {self.name} ({self.runs}): {len(self._subscribers)} subscriber(s)>"

    @property
    def subscribers(self):
        return tuple(self._subscribers)

    def subscribe(self, subscriber, *, before=None):
        """Add `subscriber` once (a ready() run twice must not run it twice); returns it, so this
        works as a decorator. `before`: a subscriber it must run ahead of, when that one is there
        (apps are ready in INSTALLED_APPS order, which is not always the order their work needs)."""
        if subscriber not in self._subscribers:
            if before in self._subscribers:
                self._subscribers.insert(self._subscribers.index(before), subscriber)
            else:
                self._subscribers.append(subscriber)
        return subscriber

    def fire(self, **kwargs):
        """Run every subscriber as `subscriber(**kwargs)`: inline, returning their answers in
        order (a failed subscriber's, under LOG, is left out); after commit, returning []."""
        subscribers = list(self._subscribers)
        if self.runs == self.AFTER_COMMIT:
            transaction.on_commit(lambda: self._run_logged(subscribers, kwargs))
            return []
        if self.on_failure == self.LOG:
            return self._run_logged(subscribers, kwargs)
        return [subscriber(**kwargs) for subscriber in subscribers]

    def _run_logged(self, subscribers, kwargs):
        answers = []
        for subscriber in subscribers:
            try:
                with transaction.atomic():
                    answers.append(subscriber(**kwargs))
            except Exception:  # the caller's change stands; ops see the failure in the log
                log.exception(
                    "hook %s: subscriber %s failed", self.name, getattr(subscriber, "__qualname__", subscriber)
                )
        return answers


def all_hooks():
    """Every declared hook, after importing each installed app's `hooks` module."""
    autodiscover_modules("hooks")
    return dict(sorted(_registry.items()))


# --- the platform core's own hooks --------------------------------------------------------------

# demo_data(): `manage.py demo_data` fills this instance; each app with demo data runs its own
# demo command (in INSTALLED_APPS order). Inline.
demo_data = Hook("crossborder.demo_data", runs=Hook.INLINE)

# message_delivered(message): the partner acknowledged an OutboxMessage we sent. Fired by the relay
# once the delivery is recorded (outside any transaction); a failure is logged and does not undo
# the delivery.
message_delivered = Hook("crossborder.message_delivered", runs=Hook.INLINE, on_failure=Hook.LOG)

# partnership_activated(partnership): a partnership became active and the partner knows it: the
# proposer's side when the invited platform's reply says active, either side at an accept (ours,
# after the `partnership.accepted` message is queued, or the partner's arriving). Not inside the
# partner's own proposal request (an auto-accepting invitation), where the partner has not recorded
# the partnership yet: there the later app answers the partner's first message instead. Fired in
# the activation's transaction, so what a subscriber queues in the outbox commits with it; a failed
# subscriber is rolled back to its savepoint and logged, and the activation stands.
partnership_activated = Hook("crossborder.partnership_activated", runs=Hook.INLINE, on_failure=Hook.LOG)
