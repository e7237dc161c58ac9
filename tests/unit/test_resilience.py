"""The resilience layer on its own: Retry-After, retry vs give-up, breaker, AIMD, run control."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from a11y_judge.judges.http_errors import duration, retry_after
from a11y_judge.judges.llm import Completion, _parseable
from a11y_judge.models import utcnow
from a11y_judge.resilience import (
    AdaptiveConcurrency,
    Budget,
    BudgetExceededError,
    CircuitBreaker,
    CircuitOpenError,
    MalformedReplyError,
    ProviderError,
    ProviderGate,
    RateLimiter,
    RetryPolicy,
    RunControl,
    RunStoppedError,
    Transient,
    call_with_retries,
)

pytestmark = pytest.mark.timeout(30)

QUICK = RetryPolicy(max_retries=2, base_delay=0.001, max_delay=0.01)


# --------------------------------------------------------------------------------------------
# When the provider says to retry
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),  # ms wins, as in the SDKs
        ({"retry-after-ms": "soon", "retry-after": "3"}, 3.0),
        ({"x-ratelimit-reset-requests": "1s", "x-ratelimit-reset-tokens": "6m0s"}, 360.0),
        (
            {
                "x-ratelimit-remaining-requests": "0",
                "x-ratelimit-reset-requests": "20ms",
                "x-ratelimit-remaining-tokens": "5000",
                "x-ratelimit-reset-tokens": "6m0s",
            },
            0.02,  # the exhausted limit's reset, not the longer one
        ),
        ({"x-ratelimit-reset-tokens": "1h2m3.5s"}, 3723.5),
        ({"x-ratelimit-reset-requests": "whenever"}, None),
        ({"retry-after": "not a date"}, None),
        ({}, None),
        (None, None),
    ],
)
def test_retry_after_headers(headers: dict[str, str] | None, expected: float | None) -> None:
    got = retry_after(headers)
    assert got == (None if expected is None else pytest.approx(expected))


def test_retry_after_as_an_http_date() -> None:
    when = format_datetime(utcnow() + timedelta(seconds=30), usegmt=True)
    got = retry_after({"Retry-After": when})
    assert got is not None and 28 <= got <= 30
    past = format_datetime(utcnow() - timedelta(seconds=30), usegmt=True)
    assert retry_after({"Retry-After": past}) == 0.0


def test_retry_after_from_geminis_retry_info() -> None:
    body = {
        "error": {
            "code": 429,
            "status": "RESOURCE_EXHAUSTED",
            "details": [
                {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": []},
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "27s"},
            ],
        }
    }
    assert retry_after({}, body) == 27.0
    assert retry_after({"retry-after": "2"}, body) == 2.0  # a header wins
    assert retry_after({}, {"error": {"details": "nonsense"}}) is None


def test_go_durations() -> None:
    assert duration("0.5s") == 0.5
    assert duration("2m") == 120.0
    assert duration("1h") == 3600.0
    assert duration("5") is None and duration("1s junk") is None and duration("") is None


def test_delay_is_the_providers_figure_plus_a_small_jitter() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=10.0)
    for asked in (0.0, 0.5, 3.0, 120.0):
        for _ in range(50):
            got = policy.delay(4, asked)
            assert asked <= got <= asked + min(1.0, 0.05 + 0.1 * asked)
    # silent provider: exponential backoff with jitter, capped
    for retry in range(7):
        cap = min(10.0, 2.0**retry)
        for _ in range(20):
            assert cap * 0.5 <= policy.delay(retry, None) <= cap


# --------------------------------------------------------------------------------------------
# call_with_retries: what is re-sent, what is given up, what is counted
# --------------------------------------------------------------------------------------------


class RateLimited(Exception):
    def __init__(self, after: float | None = None) -> None:
        super().__init__("HTTP 429")
        self.after = after


class ServerError(Exception):
    pass


class Refused(Exception):
    pass


def classify(exc: Exception) -> Transient | None:
    if isinstance(exc, RateLimited):
        return Transient("rate_limit", exc.after)
    if isinstance(exc, ServerError):
        return Transient("error")
    return None


def script(*items: Any) -> Callable[[], Any]:
    """A call that raises or returns the next item each time."""
    queue = list(items)
    lock = threading.Lock()

    def fn() -> Any:
        with lock:
            item = queue.pop(0) if queue else "ok"
        if isinstance(item, Exception):
            raise item
        return item

    return fn


class RecordingControl(RunControl):
    """A run control that records the waits instead of sleeping."""

    def __init__(self) -> None:
        super().__init__()
        self.sleeps: list[float] = []

    def sleep(self, seconds: float, doing: str) -> None:
        self.check(doing)
        self.sleeps.append(seconds)


def call(
    fn: Callable[[], Any],
    gate: ProviderGate | None = None,
    policy: RetryPolicy = QUICK,
    control: RunControl | None = None,
    accept: Callable[[Any], None] | None = None,
) -> Any:
    return call_with_retries(
        fn,
        gate=gate or ProviderGate("prov"),
        classify=classify,
        describe=lambda e: f"prov said {e}",
        policy=policy,
        control=control,
        accept=accept,
    )


def test_retry_after_is_waited_and_backoff_only_when_silent() -> None:
    control = RecordingControl()
    result, tries = call(script(RateLimited(0.7), ServerError("HTTP 500"), "done"), control=control)
    assert result == "done"
    assert (tries.sent, tries.retries, tries.rate_limited, tries.errors) == (3, 2, 1, 1)
    assert 0.7 <= control.sleeps[0] <= 0.7 + 0.12  # as asked, plus a small jitter
    assert control.sleeps[1] <= QUICK.max_delay  # silent: our own backoff


def test_rate_limits_do_not_use_the_error_retries_and_never_open_the_breaker() -> None:
    gate = ProviderGate("prov", breaker_threshold=1)
    limited = [RateLimited(0.0) for _ in range(8)]
    result, tries = call(script(*limited, "done"), gate=gate, control=RecordingControl())
    assert result == "done" and tries.rate_limited == 8 and tries.errors == 0
    assert gate.breaker.state == "closed" and gate.breaker.failures == 0
    assert gate.rate_limited == 8


def test_endless_rate_limits_end_at_their_own_bound() -> None:
    policy = RetryPolicy(max_rate_limited=3, base_delay=0.001)
    gate = ProviderGate("prov", breaker_threshold=1)
    with pytest.raises(ProviderError, match=r"still rate-limited after 4 tries") as info:
        call(script(*[RateLimited(0.0)] * 10), gate=gate, policy=policy, control=RecordingControl())
    assert info.value.attempts.sent == 4
    assert gate.breaker.state == "closed"


def test_a_wait_longer_than_allowed_means_the_quota_is_gone() -> None:
    policy = RetryPolicy(max_retry_after=60.0)
    control = RecordingControl()
    with pytest.raises(ProviderError, match=r"asked to wait 3600 s") as info:
        call(script(RateLimited(3600.0)), policy=policy, control=control)
    assert "quota" in str(info.value) and control.sleeps == []
    assert info.value.attempts.sent == 1


def test_errors_are_retried_then_given_up_and_permanent_ones_are_not() -> None:
    gate = ProviderGate("prov", breaker_threshold=10)
    with pytest.raises(ProviderError, match=r"gave up after 3 attempts: 3 server or network"):
        call(script(*[ServerError("HTTP 503")] * 5), gate=gate)
    assert gate.breaker.failures == 1  # one call failed: one count, not three
    with pytest.raises(ProviderError, match=r"^prov said bad request$") as info:
        call(script(Refused("bad request")), gate=gate)
    assert info.value.attempts.sent == 1


def test_malformed_replies_are_resent_fresh_within_the_retry_budget() -> None:
    def accept(text: str) -> None:
        if not text.startswith("{"):
            raise MalformedReplyError("not valid JSON", raw=text)

    result, tries = call(script("{trunc", "<html>", '{"ok": 1}'), accept=lambda t: None)
    assert result == "{trunc"  # accept passed everything
    result, tries = call(script("<html>", "", '{"ok": 1}'), accept=accept)
    assert result == '{"ok": 1}' and (tries.sent, tries.malformed, tries.errors) == (3, 2, 0)
    with pytest.raises(ProviderError, match="malformed replies") as info:
        call(script("<a>", "<b>", "<c>", "<d>"), accept=accept)
    assert info.value.raw == "<c>"  # the last unusable reply is kept
    assert info.value.attempts.malformed == 3


def test_malformed_replies_and_errors_have_a_budget_each() -> None:
    def accept(text: str) -> None:
        if text == "garbage":
            raise MalformedReplyError("not valid JSON", raw=text)

    mixed = script("garbage", ServerError("HTTP 500"), "garbage", ServerError("HTTP 502"), "fine")
    result, tries = call(mixed, accept=accept)  # 2 of each kind: within QUICK's 2 per kind
    assert result == "fine" and (tries.errors, tries.malformed, tries.sent) == (2, 2, 5)
    three = script(ServerError("500"), "garbage", ServerError("500"), ServerError("500"))
    with pytest.raises(ProviderError, match="3 server or network errors, 1 malformed reply"):
        call(three, accept=accept)


def test_what_counts_as_unparseable() -> None:
    for text in ["", "   ", '{"criteria": {"a": 1', "<html>502</html>", "I'd give it 7."]:
        with pytest.raises(MalformedReplyError):
            _parseable(Completion(text))
    _parseable(Completion('{"criteria": 3}'))  # JSON, if not the schema: repaired, not re-sent
    _parseable(Completion('```json\n{"a": 1}\n```'))
    _parseable(Completion("", finish="refused: no"))  # a refusal is not a transient failure
    with pytest.raises(MalformedReplyError, match="generation stopped: length"):
        _parseable(Completion('{"a": ', finish="length"))


# --------------------------------------------------------------------------------------------
# The circuit breaker's state machine
# --------------------------------------------------------------------------------------------


def test_breaker_counts_consecutive_failed_calls_only() -> None:
    breaker = CircuitBreaker("prov", threshold=3, cooldown=60)
    breaker.call_failed("HTTP 503")
    breaker.call_failed("HTTP 503")
    breaker.answered()  # a 429 or a malformed reply: the endpoint is up, the count stays
    assert breaker.failures == 2 and breaker.state == "closed"
    breaker.succeeded()
    assert breaker.failures == 0
    for _ in range(3):
        breaker.call_failed("HTTP 503")
    assert breaker.state == "open" and breaker.times_opened == 1
    notice = breaker.notice()
    assert notice is not None
    assert notice.startswith("waiting for prov: open since ") and "last error: HTTP 503" in notice


def test_a_storm_of_interleaved_attempts_does_not_open_the_breaker() -> None:
    """48 calls at once, three of every four attempts failing: every call gets through within
    its retries, so no call fails and the breaker never opens."""
    gate = ProviderGate("prov", concurrency=16, breaker_threshold=2)
    results: list[str] = []
    errors: list[Exception] = []

    def one() -> None:
        # each call meets a rate limit and two server errors before it gets through, while
        # 47 other calls do the same: 144 failed attempts interleaved, no failed call
        fn = script(RateLimited(0.0), ServerError("HTTP 500"), ServerError("HTTP 502"), "ok")
        try:
            results.append(call(fn, gate=gate, policy=RetryPolicy(5, base_delay=0.001))[0])
        except ProviderError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(48)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(results) == 48
    assert gate.breaker.times_opened == 0 and gate.breaker.state == "closed"


def test_an_endpoint_that_is_down_opens_it_and_work_waits_then_resumes() -> None:
    gate = ProviderGate("prov", concurrency=4, breaker_threshold=2, breaker_cooldown=0.2)
    down = threading.Event()
    down.set()
    sent_while_open: list[float] = []

    def fn() -> str:
        if gate.breaker.is_open:
            sent_while_open.append(time.monotonic())
        if down.is_set():
            raise ServerError("HTTP 503")
        return "ok"

    for _ in range(2):  # two calls fail after all their retries: the breaker opens
        with pytest.raises(ProviderError):
            call(fn, gate=gate)
    assert gate.breaker.state == "open"
    sent_while_open.clear()
    done: list[Any] = []

    def waiter() -> None:
        done.append(call(fn, gate=gate))

    threads = [threading.Thread(target=waiter) for _ in range(5)]
    for t in threads:
        t.start()
    time.sleep(0.1)
    assert done == [] and sent_while_open == []  # waiting, nothing sent before the cooldown
    down.clear()  # the endpoint recovers; the probe will get through
    for t in threads:
        t.join(timeout=5)
    assert len(done) == 5 and all(result == "ok" for result, _ in done)
    assert len(sent_while_open) == 1  # only the probe went while it was open
    assert gate.breaker.state == "closed" and gate.breaker.waited_s >= 0.1 * 5


def test_a_failed_probe_reopens_with_a_longer_cooldown() -> None:
    breaker = CircuitBreaker("prov", threshold=1, cooldown=0.05, max_cooldown=0.15)
    breaker.call_failed("HTTP 500")
    start = time.monotonic()
    assert breaker.admit() is True  # after the cooldown this caller is the probe
    assert time.monotonic() - start >= 0.04
    assert breaker.state == "half-open"
    breaker.probe_failed("timed out")
    start = time.monotonic()
    assert breaker.admit() is True
    assert time.monotonic() - start >= 0.09  # doubled
    breaker.probe_failed("timed out")
    start = time.monotonic()
    assert breaker.admit() is True
    assert 0.14 <= time.monotonic() - start < 0.3  # capped at max_cooldown
    breaker.succeeded()
    assert breaker.state == "closed" and breaker.admit() is False


def test_waiting_ends_when_the_endpoint_stays_down_past_the_patience() -> None:
    breaker = CircuitBreaker("prov", threshold=1, cooldown=10.0, patience=0.2)
    breaker.call_failed("could not be reached")
    start = time.monotonic()
    with pytest.raises(CircuitOpenError, match="prov has been down since") as info:
        breaker.admit()
    assert 0.18 <= time.monotonic() - start < 1.0
    assert "could not be reached" in str(info.value)


def test_cancel_during_the_wait() -> None:
    breaker = CircuitBreaker("prov", threshold=1, cooldown=60.0, patience=600.0)
    breaker.call_failed("HTTP 503")
    control = RunControl()
    failure: list[Exception] = []

    def wait() -> None:
        try:
            breaker.admit(control)
        except RunStoppedError as exc:
            failure.append(exc)

    thread = threading.Thread(target=wait)
    thread.start()
    time.sleep(0.1)
    start = time.monotonic()
    control.cancel()
    thread.join(timeout=2)
    assert time.monotonic() - start < 0.5
    assert len(failure) == 1
    assert str(failure[0]).startswith("cancelled by the user while waiting for prov (open since")


def test_the_time_budget_ends_the_wait() -> None:
    breaker = CircuitBreaker("prov", threshold=1, cooldown=60.0, patience=600.0)
    breaker.call_failed("HTTP 503")
    control = RunControl(time_budget=0.2)
    control.start()
    with pytest.raises(RunStoppedError, match=r"time budget of 0 s ran out while waiting for"):
        breaker.admit(control)


def test_an_abandoned_probe_lets_another_caller_probe() -> None:
    breaker = CircuitBreaker("prov", threshold=1, cooldown=0.01)
    breaker.call_failed("HTTP 503")
    assert breaker.admit() is True
    breaker.probe_abandoned()
    assert breaker.admit() is True


def test_cancel_of_a_probe_caller_does_not_wedge_the_breaker() -> None:
    gate = ProviderGate("prov", concurrency=1, breaker_threshold=1, breaker_cooldown=0.01)
    gate.breaker.call_failed("HTTP 503")
    control = RunControl()

    def fn() -> str:
        control.cancel()
        raise ServerError("HTTP 503")

    with pytest.raises(RunStoppedError):
        call(fn, gate=gate, control=control)
    assert gate.breaker.admit() is True  # another probe may go


# --------------------------------------------------------------------------------------------
# Adaptive concurrency (AIMD)
# --------------------------------------------------------------------------------------------


def test_aimd_halves_on_a_burst_and_recovers_by_one_per_round() -> None:
    limit = AdaptiveConcurrency(16)
    assert limit.window == 32  # twice the limit
    for _ in range(16):
        limit.succeeded()
    for _ in range(15):
        limit.rate_limited()
    assert limit.current == 16  # 15 of the last 31: not yet half of a full window
    limit.rate_limited()
    assert limit.current == 8 and limit.lowest == 8 and limit.decreases == 1
    for _ in range(8):
        limit.succeeded()
    assert limit.current == 9  # one round of 8 successes: +1
    for _ in range(200):
        limit.succeeded()
    assert limit.current == 16  # never above the configured limit


def test_aimd_stray_429s_do_not_cut_and_the_floor_is_one() -> None:
    limit = AdaptiveConcurrency(16)
    for _ in range(100):  # 20% rate limits, evenly spread: no burst
        limit.rate_limited()
        for _ in range(4):
            limit.succeeded()
    assert limit.current == 16 and limit.decreases == 0
    for _ in range(500):
        limit.rate_limited()
    assert limit.current == 1 and limit.lowest == 1


def test_aimd_caps_the_requests_in_flight() -> None:
    limit = AdaptiveConcurrency(3)
    limit.current = 2
    inside = 0
    peak = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal inside, peak
        with limit.slot():
            with lock:
                inside += 1
                peak = max(peak, inside)
            time.sleep(0.02)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak == 2


def test_gate_reports_its_endpoint_stats() -> None:
    gate = ProviderGate("prov", concurrency=16)
    for _ in range(17):
        call(script(RateLimited(0.0), "ok"), gate=gate, control=RecordingControl())
    stats = gate.stats()
    assert (stats.requests, stats.rate_limited, stats.concurrency) == (34, 17, 16)
    assert stats.lowest_concurrency == 8  # half of a full 32-answer window were 429s
    assert 8 <= stats.final_concurrency <= 16
    assert "lowest 8" in stats.summary()


# --------------------------------------------------------------------------------------------
# Run control, rate limiter, cost budget
# --------------------------------------------------------------------------------------------


def test_run_control_sleep_refuses_a_wait_past_the_budget() -> None:
    control = RunControl(time_budget=1.0)
    control.start()
    with pytest.raises(RunStoppedError, match=r"ends in 1 s, before waiting to retry"):
        control.sleep(5.0, "waiting to retry prov")
    start = time.monotonic()
    control.sleep(0.05, "a short wait")
    assert time.monotonic() - start >= 0.04
    control.cancel("the page stopped")
    with pytest.raises(RunStoppedError, match="the page stopped while"):
        control.sleep(0.01, "waiting")
    assert RunControl().remaining() is None


def test_call_with_retries_checks_the_run_before_sending() -> None:
    control = RunControl()
    control.cancel()
    sent: list[int] = []
    with pytest.raises(RunStoppedError, match="cancelled by the user while calling prov"):
        call(lambda: sent.append(1), control=control)
    assert sent == []


def test_rate_limiter_spaces_calls() -> None:
    limiter = RateLimiter(600)  # one call every 0.1 s
    start = time.monotonic()
    for _ in range(3):
        limiter.wait()
    assert 0.2 <= time.monotonic() - start < 1.0
    unlimited = RateLimiter(None)
    start = time.monotonic()
    for _ in range(100):
        unlimited.wait()
    assert time.monotonic() - start < 0.05


def test_budget_reserves_settles_and_refuses() -> None:
    budget = Budget(0.10)
    budget.reserve(0.06)
    with pytest.raises(BudgetExceededError, match=r"\$0\.10 is spent") as info:
        budget.reserve(0.05)  # 0.06 reserved + 0.05 > 0.10
    assert isinstance(info.value, ProviderError)
    assert "--budget" in str(info.value)
    budget.settle(0.06, 0.01)  # the call cost less than its worst case
    assert budget.spent == pytest.approx(0.01)
    budget.reserve(0.09)  # 0.01 + 0.09 fits exactly
    budget.settle(0.09, 0.0)  # failed call: nothing spent
    assert budget.spent == pytest.approx(0.01)
