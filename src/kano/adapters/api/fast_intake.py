"""``POST /api/v1/responses`` without FastAPI's per-request machinery, with group commit.

Why: measured on 2 cores (bench/RESULTS.md), one accepted response cost the server
11.2 ms of CPU, three quarters of it in FastAPI's dependency resolution, routing,
middleware, the thread-pool hop and the access log, the rest in the ORM path, and every
response was its own transaction (a commit, i.e. a WAL flush, each). Issue 6 asks for
1,000/s with p99 < 150 ms.

:class:`FastIntake` is pure ASGI middleware in front of the host app. For exactly
``POST /api/v1/responses`` with a JSON body and a bearer token it:

- validates with the route's own model (``ResponseIn``, from ``json.loads`` exactly as
  FastAPI parses it) and the domain's :func:`checked_answers`, and fingerprints the body
  as :func:`kano.adapters.api.idempotency.run_once` does, so a key is interchangeable
  between this path and the route; the answers are checked against the survey's
  questions in the writer, by the functions the route uses (``checked_scores_fit``,
  ``api_answers``), with the definitions remembered per process for
  ``DEFINITION_CACHE_SECONDS`` (a saved change holds within that), so most batches cost
  no query for them;
- authenticates the token through ``accounts.authenticate_token``, remembered in this
  process for ``TOKEN_CACHE_SECONDS`` (an unknown one is never remembered); whether a
  remembered token was revoked meanwhile is checked again in each batch's transaction
  (one indexed query), so revocation takes effect at once, as on the route;
- queues the request; one writer task per process takes every request waiting (after a
  short linger) and stores them in ONE transaction through the bulk intake path
  (:func:`kano.adapters.db.feedback_bulk.accept_responses`: COPY on PostgreSQL, the
  outbox acknowledgements and the cases of the workspace's rules in the same
  transaction), with their idempotency keys, then answers each request after COMMIT.
  Nothing is acknowledged before it is durable; a kill -9 loses only unanswered requests,
  which the clients retry with the same key.

Anything unusual is handed, untouched (the body replayed), to the FastAPI route, which
stays the reference behaviour and the OpenAPI source: bad JSON, a 422 (answers that do
not fit the survey's questions included), a missing,
unknown or read-only token, another content type, a body over ``BODY_LIMIT``, a key that
is already stored (the route replays it or refuses a different body with its 422), a key
repeated inside one batch (answered after the first one's commit, so it replays), an
unknown survey or touchpoint (the rest of the batch is stored without it), and a batch
that keeps failing. Errors are therefore the route's, byte for byte.

Idempotency between the two server processes: keys are inserted with ``ON CONFLICT DO
NOTHING`` at the end of the batch (sorted, so two batches lock them in the same order).
A key another process holds makes PostgreSQL wait for that transaction; if it commits,
the key is missing from ``RETURNING``, the batch is rolled back and written again without
that request, which then goes to the route and gets the stored result. One response is
stored per key, whoever wins.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import weakref
from collections import defaultdict
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Final, cast

from pydantic import ValidationError
from sqlalchemy import Table, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from kano.adapters import json_codec
from kano.adapters.api.auth import granted_scopes, record_token_use
from kano.adapters.api.idempotency import REPLAYED_HEADER, fingerprint
from kano.adapters.api.routers.responses import _submission as submission_of
from kano.adapters.api.routers.responses import raw_answers
from kano.adapters.api.schemas.feedback import AcceptedResponse, ResponseIn
from kano.adapters.db import accounts
from kano.adapters.db.bulk_writes import is_postgres, rows_where_in
from kano.adapters.db.feedback_bulk import accept_responses
from kano.adapters.db.feedback_intake import Submission
from kano.adapters.db.orm import ApiToken, IdempotencyKeyRow, utcnow
from kano.adapters.db.survey_store import definitions_of
from kano.adapters.web.security_headers import SECURITY_HEADERS
from kano.bootstrap import Container
from kano.domain.feedback.answers import Answers, checked_answers
from kano.domain.feedback.surveys import (
    SCORE_KEYS,
    SurveyAnswers,
    SurveyDefinition,
    api_answers,
    checked_scores_fit,
)
from kano.domain.shared.errors import InvalidInput
from kano.domain.workspaces import Scope

Scope_ = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope_, Receive, Send], Awaitable[None]]

PATH: Final = "/api/v1/responses"
BODY_LIMIT: Final = 64 * 1024
"""A single response is a few hundred bytes (a comment at most 10,000 characters); a
larger body goes to the route, which answers it as before."""
TOKEN_CACHE_SECONDS: Final = 5.0
DEFINITION_CACHE_SECONDS: Final = 2.0
SCORE_KEY_SET: Final = frozenset(SCORE_KEYS)
BATCH_LIMIT: Final = 256
LINGER_STEP: Final = 0.001
LINGER_LIMIT: Final = 0.008
"""The writer waits for more requests after the first of a batch in steps of
``LINGER_STEP``, as long as each step brought one, at most ``LINGER_LIMIT``: a batch
costs about 7 ms of this process's CPU and 3 ms of PostgreSQL's whatever its size, and
each response only about 0.2 ms more (measured on PostgreSQL, batches of 2 and 16), so
gathering the requests of every client answered by the previous commit pays; one idle
step is 1 ms of latency when the server is quiet."""
ATTEMPTS: Final = 3

IDEMPOTENCY_KEYS = cast(Table, IdempotencyKeyRow.__table__)
# In front of the whole application (kano.app.KanoApp), so its own 201s carry the
# headers the web UI's middleware puts on every other answer.
_SECURITY_HEADERS: Final = [
    (name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()
]

logger = logging.getLogger(__name__)


class _HandOver:
    """The writer's answer "let the FastAPI route answer this one"."""


HAND_OVER: Final = _HandOver()


@dataclass(frozen=True)
class _Writer:
    """A token that may write to one workspace, as remembered until ``until``."""

    token_id: int
    workspace_id: int
    until: float


@dataclass
class _Pending:
    """One validated request waiting for the writer."""

    token_id: int
    workspace_id: int
    key: str | None
    digest: str
    submission: Submission
    done: asyncio.Future[bytes | _HandOver]
    raw_answers: dict[str, Any] | None = None
    """The answers as given when some key is not a score key (checked in the writer,
    against the survey's questions); None: ``submission.answers`` are checked scores."""


@dataclass
class _Batch:
    """The requests of one transaction, and what happened to each."""

    items: list[_Pending]
    outcome: dict[int, bytes | _HandOver] = field(default_factory=dict)  # id(item) → …

    def hand_over(self, item: _Pending) -> None:
        self.outcome[id(item)] = HAND_OVER

    def waiting(self) -> list[_Pending]:
        return [item for item in self.items if id(item) not in self.outcome]


def _header(scope: Scope_, wanted: bytes) -> bytes | None:
    """The one value of a header; None when absent or sent more than once."""
    found = None
    for name, value in scope["headers"]:
        if name.lower() == wanted:
            if found is not None:
                return None
            found = value
    return cast(bytes | None, found)


def _is_json(content_type: bytes | None) -> bool:
    if content_type is None:
        return False
    media, _, parameters = content_type.decode("latin-1").partition(";")
    if media.strip().lower() != "application/json":
        return False
    parameters = parameters.strip().lower().replace(" ", "")
    return parameters in ("", "charset=utf-8")


def _replayed(body: bytes, receive: Receive, *, complete: bool = True) -> Receive:
    """A ``receive`` that gives the body already read (all of it, or the start of it:
    ``complete=False``), then whatever the client sends."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": not complete}
        return await receive()

    return replay


class FastIntake:
    """The fast path for single responses (see the module docstring)."""

    def __init__(self, app: ASGIApp, container: Container) -> None:
        self.app = app
        self.container = container
        self.email = bool(container.settings.smtp_url)
        self.tokens: dict[str, _Writer] = {}
        # Look-ups in flight: when a remembered token expires, the requests in hand all
        # miss at once (16 per process in bench/ingest.py); one look-up serves them all
        # (per event loop: a future belongs to one).
        self.looking_up: dict[
            tuple[asyncio.AbstractEventLoop, str], asyncio.Future[_Writer | None]
        ] = {}
        self.lookups = 0  # token look-ups made (for tests)
        self.stored = 0  # responses this path stored (for tests and curious operators)
        self.batches = 0
        # One queue and writer task per event loop: a server process has one loop; a
        # test client runs the app on a loop of its own, several at once in some tests.
        self.queues: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Queue[_Pending]
        ] = weakref.WeakKeyDictionary()
        self.writers: set[asyncio.Task[None]] = set()
        # (workspace, survey key) → (until, its definition or None); read and written by
        # the one writer thread only.
        self.definitions: dict[tuple[int, str], tuple[float, SurveyDefinition | None]] = {}
        self.definition_lookups = 0  # queries made for them (for tests)
        # One thread: the batches of a process are written one after the other, and the
        # requests that arrive meanwhile make the next batch.
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="kano-intake")

    async def __call__(self, scope: Scope_, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        body, complete = await self._body(receive)
        if not complete or len(body) > BODY_LIMIT:  # the route reads on, answers as before
            await self.app(scope, _replayed(body, receive, complete=complete), send)
            return
        outcome = await self._accept(scope, body)
        if isinstance(outcome, bytes):
            await send(
                {
                    "type": "http.response.start",
                    "status": 201,
                    "headers": [
                        (REPLAYED_HEADER.lower().encode(), b"false"),
                        (b"content-length", str(len(outcome)).encode()),
                        (b"content-type", b"application/json"),
                        *_SECURITY_HEADERS,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": outcome})
            return
        await self.app(scope, _replayed(body, receive), send)

    async def _body(self, receive: Receive) -> tuple[bytes, bool]:
        """The body, and whether it is all there (within ``BODY_LIMIT``)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks), False
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), True
            if size > BODY_LIMIT:
                return b"".join(chunks), False

    async def _accept(self, scope: Scope_, body: bytes) -> bytes | _HandOver:
        if not _is_json(_header(scope, b"content-type")):
            return HAND_OVER
        authorization = _header(scope, b"authorization")
        if authorization is None:
            return HAND_OVER
        scheme, _, token = authorization.decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return HAND_OVER
        keys = [value for name, value in scope["headers"] if name.lower() == b"idempotency-key"]
        if len(keys) > 1 or (keys and not 1 <= len(keys[0]) <= 255):
            return HAND_OVER
        key = keys[0].decode("latin-1") if keys else None
        try:
            parsed = ResponseIn.model_validate(json_codec.loads(body))
            raw: dict[str, Any] | None = raw_answers(parsed.answers)
            if raw is not None and raw.keys() <= SCORE_KEY_SET:
                submission = submission_of(parsed, SurveyAnswers(checked_answers(raw)))
                raw = None
            else:
                submission = submission_of(parsed, _UNCHECKED)
        except (ValueError, ValidationError, InvalidInput):
            return HAND_OVER  # ValueError covers bad JSON and bad UTF-8
        writer = await self._writer_of(token)
        if writer is None:
            return HAND_OVER
        if submission.submitted_at is None:
            # Decided here, not in the writer, so the 201 can say it (as the route does).
            submission = replace(submission, submitted_at=utcnow())
        loop = asyncio.get_running_loop()
        item = _Pending(
            token_id=writer.token_id,
            workspace_id=writer.workspace_id,
            key=key,
            digest=fingerprint(parsed.model_dump(mode="json")),
            submission=submission,
            done=loop.create_future(),
            raw_answers=raw,
        )
        self._queue_of(loop).put_nowait(item)
        return await item.done

    async def _writer_of(self, token: str) -> _Writer | None:
        now = time.monotonic()
        known = self.tokens.get(token)
        if known is not None and known.until > now:
            return known
        loop = asyncio.get_running_loop()
        while (in_flight := self.looking_up.get((loop, token))) is not None:
            try:
                return await asyncio.shield(in_flight)
            except asyncio.CancelledError:
                if not in_flight.cancelled():
                    raise  # this request was cancelled
                # the request making the look-up was: make one here
        lookup: asyncio.Future[_Writer | None] = loop.create_future()
        self.looking_up[loop, token] = lookup
        try:
            self.tokens.pop(token, None)
            self.lookups += 1
            found = await loop.run_in_executor(None, self._authenticate, token)
            writer = None if found is None else _Writer(*found, until=now + TOKEN_CACHE_SECONDS)
            if writer is not None:
                if len(self.tokens) > 10_000:  # a flood of distinct tokens must not grow memory
                    self.tokens.clear()
                self.tokens[token] = writer
            lookup.set_result(writer)
            return writer
        except asyncio.CancelledError:
            lookup.cancel()
            raise
        except BaseException as error:
            lookup.set_exception(error)
            lookup.exception()  # marked retrieved: waiters re-raise it, if any wait
            raise
        finally:
            if self.looking_up.get((loop, token)) is lookup:
                del self.looking_up[loop, token]

    def _authenticate(self, token: str) -> tuple[int, int] | None:
        """The id and workspace of a live token with the write scope (else None: the
        route answers 401 or 403), recording its use like the route's dependency does."""
        with self.container.sessions() as session:
            found = accounts.authenticate_token(session, token)
            if found is None:
                return None
            api_token, workspace = found
            scopes = granted_scopes(api_token.scopes)
            if not any(granted.covers(Scope.WRITE) for granted in scopes):
                return None
            record_token_use(session, api_token)
            return api_token.id, workspace.id

    # --- the writer ---------------------------------------------------------------

    def _queue_of(self, loop: asyncio.AbstractEventLoop) -> asyncio.Queue[_Pending]:
        """The queue of this event loop, its writer task started on first use."""
        queue = self.queues.get(loop)
        if queue is None:
            queue = self.queues[loop] = asyncio.Queue()
            writer = loop.create_task(self._write_batches(queue))
            self.writers.add(writer)
            writer.add_done_callback(self.writers.discard)
        return queue

    async def _write_batches(self, queue: asyncio.Queue[_Pending]) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await queue.get()]
            # Linger while requests keep coming (each pause gathers more), not longer.
            waited = 0.0
            while queue.qsize() + len(batch) < BATCH_LIMIT and waited < LINGER_LIMIT:
                waiting = queue.qsize()
                await asyncio.sleep(LINGER_STEP)
                waited += LINGER_STEP
                if queue.qsize() == waiting:
                    break
            while len(batch) < BATCH_LIMIT and not queue.empty():
                batch.append(queue.get_nowait())
            try:
                outcomes = await loop.run_in_executor(self.executor, self._store, batch)
            except Exception:  # a bug here must not leave requests waiting forever
                logger.exception("fast intake: a batch of %d failed", len(batch))
                outcomes = [HAND_OVER] * len(batch)
            for item, outcome in zip(batch, outcomes, strict=True):
                if not item.done.done():
                    item.done.set_result(outcome)
            self.batches += 1
            if self.batches % 1000 == 0:
                logger.debug("fast intake: %d responses in %d batches", self.stored, self.batches)

    def _store(self, items: list[_Pending]) -> list[bytes | _HandOver]:
        """Write the batch in one transaction (retried without the requests that must go
        to the route); each request's 201 body, or ``HAND_OVER``."""
        batch = _Batch(items)
        failures = 0
        with self.container.sessions() as session:
            while batch.waiting():
                try:
                    written = self._write(session, batch)
                    session.commit()
                except _Refused as refused:
                    session.rollback()
                    batch.hand_over(refused.item)
                    continue
                except _KeyTaken as taken:
                    session.rollback()
                    for item in taken.items:
                        batch.hand_over(item)
                    continue
                except DBAPIError:
                    # A new customer created by the other process at the same moment, a
                    # deadlock, a lost connection: the whole transaction again.
                    session.rollback()
                    failures += 1
                    if failures < ATTEMPTS:
                        continue
                    logger.exception("fast intake: a batch failed %d times", failures)
                    for item in batch.waiting():
                        batch.hand_over(item)
                    break
                batch.outcome.update(written)
                self.stored += len(written)
                break
        return [batch.outcome.get(id(item), HAND_OVER) for item in items]

    def _write(self, session: Session, batch: _Batch) -> dict[int, bytes]:
        """The writes of one attempt (the caller commits); the 201 bodies by ``id(item)``."""
        items = batch.waiting()
        revoked = _revoked_tokens(session, items)
        stored = _stored_keys(session, items)
        seen: set[tuple[int, str]] = set()
        accepted: list[_Pending] = []
        for item in items:
            if item.token_id in revoked:
                batch.hand_over(item)  # the route answers 401
                continue
            if item.key is not None:
                pair = (item.workspace_id, item.key)
                if pair in stored or pair in seen:
                    # Already answered once: the route replays it (after this commit).
                    batch.hand_over(item)
                    continue
                seen.add(pair)
            accepted.append(item)
        groups: dict[int, list[_Pending]] = defaultdict(list)
        for item in accepted:
            groups[item.workspace_id].append(item)
        bodies: dict[int, dict[str, Any]] = {}
        for workspace_id, everyone in groups.items():
            group = self._answered(session, workspace_id, everyone, batch)
            if not group:
                continue
            try:
                result = accept_responses(
                    session,
                    workspace_id,
                    [item.submission for item in group],
                    email_enabled=self.email,
                    field_of=str,  # "3.survey": which request of the group to hand over
                )
            except InvalidInput as error:
                raise _Refused(group[_index_in(error.field, len(group))]) from error
            queued = result.acknowledged
            for item, response_id, customer_id in zip(
                group, result.ids, result.customer_ids, strict=True
            ):
                bodies[id(item)] = AcceptedResponse(
                    id=response_id,
                    survey=item.submission.survey,
                    customer_id=customer_id,
                    submitted_at=cast(Any, item.submission.submitted_at),
                    acknowledgement="queued" if response_id in queued else "none",
                ).model_dump(mode="json")
        _remember_keys(session, [item for item in accepted if item.key is not None], bodies)
        return {
            item_id: json.dumps(
                body, ensure_ascii=False, allow_nan=False, separators=(",", ":")
            ).encode()
            for item_id, body in bodies.items()
        }


    def _answered(
        self, session: Session, workspace_id: int, items: list[_Pending], batch: _Batch
    ) -> list[_Pending]:
        """The items whose answers fit their survey's questions, checked as the route
        checks them (their submissions then carry the checked answers); the others are
        handed over, and the route answers its 422."""
        definitions = self._definitions_of(
            session, workspace_id, {item.submission.survey for item in items}
        )
        fitting = []
        for item in items:
            definition = definitions.get(item.submission.survey)
            if definition is None and item.raw_answers is None:
                fitting.append(item)  # no questions of its own: the scores are checked
                continue
            try:
                if item.raw_answers is None:
                    answers = checked_scores_fit(definition, item.submission.answers)
                else:
                    answers = api_answers(definition, item.raw_answers)
            except InvalidInput:
                batch.hand_over(item)
                continue
            item.submission = replace(
                item.submission, answers=answers.scores, extra=answers.extra
            )
            fitting.append(item)
        return fitting

    def _definitions_of(
        self, session: Session, workspace_id: int, survey_keys: set[str]
    ) -> dict[str, SurveyDefinition]:
        """The surveys' definitions (those with questions), remembered for
        ``DEFINITION_CACHE_SECONDS``: one query for the keys not remembered."""
        now = time.monotonic()
        known: dict[str, SurveyDefinition] = {}
        missing = []
        for key in survey_keys:
            remembered = self.definitions.get((workspace_id, key))
            if remembered is None or remembered[0] <= now:
                missing.append(key)
            elif remembered[1] is not None:
                known[key] = remembered[1]
        if missing:
            self.definition_lookups += 1
            found = definitions_of(session, workspace_id, missing)
            if len(self.definitions) > 10_000:  # many surveys must not grow memory
                self.definitions.clear()
            until = now + DEFINITION_CACHE_SECONDS
            for key in missing:
                definition = found.get(key)
                self.definitions[workspace_id, key] = (until, definition)
                if definition is not None:
                    known[key] = definition
        return known


_UNCHECKED: Final = SurveyAnswers(Answers())
"""The answers of a submission until the writer checks its raw answers."""


class _Refused(Exception):
    """A request the bulk path refused (unknown survey or touchpoint): the route says why."""

    def __init__(self, item: _Pending) -> None:
        self.item = item


class _KeyTaken(Exception):
    """Keys another process committed while this batch was being written."""

    def __init__(self, items: list[_Pending]) -> None:
        self.items = items


def _index_in(field_name: str, size: int) -> int:
    head = field_name.partition(".")[0]
    if head.isdigit() and int(head) < size:
        return int(head)
    raise AssertionError(f"accept_responses named {field_name!r}, not one request")


def _driver(session: Session) -> Any:
    """The psycopg connection under the session (its transaction), or None elsewhere.

    The three statements of this module go to it directly on PostgreSQL, each one
    constant text with array parameters sent in binary (``%b``): through SQLAlchemy they
    cost about 0.3 ms of CPU each per batch, the executemany form of the key insert was
    re-parsed by psycopg for every batch size (its text changes with the number of rows),
    and text-format arrays of 16 keys and bodies took psycopg 0.72 ms to escape, binary
    0.17 ms (measured here).
    """
    if not is_postgres(session):
        return None
    return session.connection().connection.driver_connection


def _revoked_tokens(session: Session, items: Sequence[_Pending]) -> set[int]:
    """The tokens of the batch revoked since they were remembered: checked in the batch's
    transaction, so a revocation holds from its commit on, as on the route."""
    token_ids = sorted({item.token_id for item in items})
    driver = _driver(session)
    if driver is not None:
        live = {
            token_id
            for (token_id,) in driver.execute(
                "SELECT id FROM api_tokens WHERE id = ANY(%b::bigint[]) AND revoked_at IS NULL",
                (token_ids,),
            )
        }
    else:
        live = set(
            session.scalars(
                select(ApiToken.id).where(ApiToken.id.in_(token_ids), ApiToken.revoked_at.is_(None))
            )
        )
    return set(token_ids) - live


def _stored_keys(session: Session, items: Sequence[_Pending]) -> set[tuple[int, str]]:
    pairs = sorted({(item.workspace_id, item.key) for item in items if item.key is not None})
    if not pairs:
        return set()
    driver = _driver(session)
    if driver is not None:
        return set(
            driver.execute(
                "SELECT workspace_id, key FROM idempotency_keys"
                " WHERE (workspace_id, key) IN"
                " (SELECT * FROM unnest(%b::bigint[], %b::text[]))",
                ([w for w, _ in pairs], [k for _, k in pairs]),
            ).fetchall()
        )
    stored: set[tuple[int, str]] = set()
    for workspace_id in {w for w, _ in pairs}:
        stored.update(
            (workspace_id, row.key)
            for row in rows_where_in(
                session,
                [IDEMPOTENCY_KEYS.c.key],
                IDEMPOTENCY_KEYS.c.key,
                [k for w, k in pairs if w == workspace_id],
                IDEMPOTENCY_KEYS.c.workspace_id == workspace_id,
            )
        )
    return stored


def _remember_keys(
    session: Session, items: Sequence[_Pending], bodies: dict[int, dict[str, Any]]
) -> None:
    """Store the keys with their outcome; raise :class:`_KeyTaken` for the ones another
    transaction stored first (``ON CONFLICT DO NOTHING``: no error aborts the batch)."""
    if not items:
        return
    ordered = sorted(items, key=lambda item: (item.workspace_id, cast(str, item.key)))
    now = utcnow()
    driver = _driver(session)
    if driver is not None:
        inserted = set(
            driver.execute(
                "INSERT INTO idempotency_keys"
                " (workspace_id, key, request_hash, status_code, body, response_id, created_at)"
                " SELECT w, k, h, 201, b::json, r, %b FROM unnest("
                "%b::bigint[], %b::text[], %b::text[], %b::text[], %b::bigint[]"
                ") AS u(w, k, h, b, r) ORDER BY w, k"
                " ON CONFLICT (workspace_id, key) DO NOTHING RETURNING workspace_id, key",
                (
                    now,
                    [item.workspace_id for item in ordered],
                    [item.key for item in ordered],
                    [item.digest for item in ordered],
                    [json_codec.dumps(bodies[id(item)]) for item in ordered],
                    [bodies[id(item)]["id"] for item in ordered],
                ),
            ).fetchall()
        )
    else:
        statement = (
            sqlite.insert(IDEMPOTENCY_KEYS)
            .on_conflict_do_nothing(index_elements=["workspace_id", "key"])
            .returning(IDEMPOTENCY_KEYS.c.workspace_id, IDEMPOTENCY_KEYS.c.key)
        )
        rows = [
            {
                "workspace_id": item.workspace_id,
                "key": item.key,
                "request_hash": item.digest,
                "status_code": 201,
                "body": bodies[id(item)],
                "response_id": bodies[id(item)]["id"],
                "created_at": now,
            }
            for item in ordered
        ]
        inserted = {(row.workspace_id, row.key) for row in session.execute(statement, rows)}
    taken = [item for item in ordered if (item.workspace_id, item.key) not in inserted]
    if taken:
        raise _KeyTaken(taken)
