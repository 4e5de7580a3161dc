"""Drives an A2A agent with the official Python SDK's own client.

    python tests/python/client.py BASE_URL jsonrpc|http_json|grpc

Resolves the agent card at BASE_URL (always over HTTP), builds clients with
the SDK's ``ClientFactory`` for the chosen binding, and runs a fixed scenario
against an agent that behaves by message id prefix (the Rust conformance
agent). For gRPC the clients dial the card's bare ``host:port`` URL over an
insecure (cleartext) channel.
Each step prints one JSON object on stdout:

    {"step": "send_complete", "ok": true, ...details...}

The first failing step prints ``"ok": false`` with the reason and the
process exits with status 1. Every step has a time limit.
"""

import asyncio
import base64
import json
import sys
import threading
import traceback
import uuid

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from collections.abc import AsyncIterator
from typing import Any

import grpc.aio
import httpx

from a2a.client import A2ACardResolver, Client, ClientConfig, ClientFactory
from a2a.types.a2a_pb2 import (
    AgentCard,
    CancelTaskRequest,
    DeleteTaskPushNotificationConfigRequest,
    GetTaskPushNotificationConfigRequest,
    GetTaskRequest,
    ListTaskPushNotificationConfigsRequest,
    ListTasksRequest,
    Message,
    Part,
    Role,
    SendMessageConfiguration,
    SendMessageRequest,
    StreamResponse,
    SubscribeToTaskRequest,
    Task,
    TaskPushNotificationConfig,
    TaskState,
)
from google.protobuf import json_format
from standardwebhooks.webhooks import Webhook

from a2a.utils.errors import (
    PushNotificationNotSupportedError,
    TaskNotCancelableError,
    TaskNotFoundError,
)


BINDINGS = {'jsonrpc': 'JSONRPC', 'http_json': 'HTTP+JSON', 'grpc': 'GRPC'}

# The time limit of one step, in seconds.
STEP_TIMEOUT = 20.0

# Tells the runs of this script apart in the ids it sends.
RUN = uuid.uuid4().hex[:8]


class StepFailed(Exception):
    """A check of the scenario did not hold."""


def check(condition: bool, why: str) -> None:
    if not condition:
        raise StepFailed(why)


def state_name(state: int) -> str:
    return TaskState.Name(state)


def text_of(parts: Any) -> str:
    return ''.join(part.text for part in parts if part.HasField('text'))


def user_message(
    prefix: str, task_id: str = '', context_id: str = ''
) -> Message:
    """A user message whose id starts with `prefix` (the agent routes on it)."""
    return Message(
        message_id=f'{prefix}-{RUN}-{uuid.uuid4().hex[:8]}',
        role=Role.ROLE_USER,
        parts=[Part(text='interop')],
        task_id=task_id,
        context_id=context_id,
    )


def event_kind(event: StreamResponse) -> str:
    return event.WhichOneof('payload') or 'empty'


def describe(event: StreamResponse) -> str:
    """A short label for a stream event: `task:STATE`, `statusUpdate:STATE`..."""
    kind = event_kind(event)
    if kind == 'task':
        return f'task:{state_name(event.task.status.state)}'
    if kind == 'status_update':
        return f'statusUpdate:{state_name(event.status_update.status.state)}'
    if kind == 'artifact_update':
        return f'artifactUpdate:{text_of(event.artifact_update.artifact.parts)}'
    return kind


class WebhookReceiver:
    """A webhook on 127.0.0.1 that answers 200 and keeps what it gets."""

    def __init__(self) -> None:
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                length = int(self.headers.get('content-length', '0'))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                received.append((headers, body))
                self.send_response(200)
                self.send_header('content-length', '0')
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = f'http://127.0.0.1:{self.server.server_address[1]}/webhook'
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Scenario:
    def __init__(self, base_url: str, binding: str) -> None:
        self.base_url = base_url
        self.binding = binding
        self.http = httpx.AsyncClient(timeout=30.0)
        self.card: AgentCard | None = None
        # One client answering unary calls, one that streams.
        self.unary: Client | None = None
        self.streaming: Client | None = None
        self.completed_task_id = ''

    async def close(self) -> None:
        for client in (self.unary, self.streaming):
            if client is not None:
                await client.close()
        await self.http.aclose()

    # --- helpers -----------------------------------------------------------

    @staticmethod
    def client(card: AgentCard, binding: str, *, streaming: bool) -> Client:
        """A client of the card's interface for `binding`, and no other."""
        config = ClientConfig(
            streaming=streaming, supported_protocol_bindings=[binding]
        )
        if binding == 'GRPC':
            # Each client gets a channel of its own and closes it with itself.
            config.grpc_channel_factory = grpc.aio.insecure_channel
        return ClientFactory(config).create(card)

    async def send(self, message: Message, **configuration: Any) -> StreamResponse:
        """A blocking SendMessage through the non-streaming client."""
        assert self.unary is not None
        request = SendMessageRequest(
            message=message,
            configuration=SendMessageConfiguration(**configuration),
        )
        responses = [event async for event in self.unary.send_message(request)]
        check(len(responses) == 1, f'one response, got {len(responses)}')
        return responses[0]

    async def send_task(self, message: Message, **configuration: Any) -> Task:
        response = await self.send(message, **configuration)
        check(
            response.HasField('task'),
            f'a task in the response, got {event_kind(response)}',
        )
        return response.task

    async def new_input_required_task(self) -> Task:
        task = await self.send_task(user_message('tck-input-required'))
        check(
            task.status.state == TaskState.TASK_STATE_INPUT_REQUIRED,
            f'INPUT_REQUIRED, got {state_name(task.status.state)}',
        )
        return task

    # --- steps -------------------------------------------------------------

    async def step_card(self) -> dict:
        resolver = A2ACardResolver(self.http, self.base_url)
        card = await resolver.get_agent_card()
        self.card = card
        bindings = [i.protocol_binding for i in card.supported_interfaces]
        check(
            'JSONRPC' in bindings and 'HTTP+JSON' in bindings,
            f'both HTTP bindings in the card, got {bindings}',
        )
        check(card.capabilities.streaming, 'the card declares streaming')
        wanted = BINDINGS[self.binding]
        check(wanted in bindings, f'{wanted} in the card, got {bindings}')
        interface = next(
            i for i in card.supported_interfaces if i.protocol_binding == wanted
        )
        if wanted == 'GRPC':
            # The spec writes gRPC interface URLs as a bare `host:port`.
            host, _, port = interface.url.rpartition(':')
            check(
                '/' not in interface.url and bool(host) and port.isdigit(),
                f'a bare host:port gRPC URL, got {interface.url!r}',
            )
        # The factory only knows the wanted binding, so these clients use it
        # or fail to be created.
        self.unary = self.client(card, wanted, streaming=False)
        self.streaming = self.client(card, wanted, streaming=True)
        return {
            'name': card.name,
            'bindings': bindings,
            'url': interface.url,
            'streaming': card.capabilities.streaming,
            'pushNotifications': card.capabilities.push_notifications,
        }

    async def step_send_complete(self) -> dict:
        message = user_message('tck-complete-task')
        task = await self.send_task(message)
        check(
            task.status.state == TaskState.TASK_STATE_COMPLETED,
            f'COMPLETED, got {state_name(task.status.state)}',
        )
        status_message = task.status.message
        check(
            status_message.role == Role.ROLE_AGENT,
            'the final status carries an agent message',
        )
        text = text_of(status_message.parts)
        check(text == 'Hello from TCK', f'"Hello from TCK", got {text!r}')
        check(
            any(m.message_id == message.message_id for m in task.history),
            'the user message is in the history',
        )
        self.completed_task_id = task.id
        return {'taskId': task.id, 'state': state_name(task.status.state)}

    async def step_send_message_response(self) -> dict:
        response = await self.send(user_message('tck-message-response'))
        check(
            response.HasField('message'),
            f'a message in the response, got {event_kind(response)}',
        )
        text = text_of(response.message.parts)
        check(response.message.role == Role.ROLE_AGENT, 'an agent message')
        check(text == 'Direct message response', f'the reply text, got {text!r}')
        return {'text': text}

    async def step_stream(self) -> dict:
        assert self.streaming is not None
        request = SendMessageRequest(message=user_message('tck-stream-001'))
        events = [e async for e in self.streaming.send_message(request)]
        labels = [describe(e) for e in events]
        check(len(events) >= 3, f'at least 3 events, got {labels}')
        check(events[0].HasField('task'), f'a task first, got {labels}')
        task_id = events[0].task.id
        for event in events[1:]:
            kind = event_kind(event)
            if kind in ('status_update', 'artifact_update'):
                update = getattr(event, kind)
                check(update.task_id == task_id, f'updates name the task: {event}')
        wanted = [
            'statusUpdate:TASK_STATE_WORKING',
            'artifactUpdate:Stream hello from TCK',
            'statusUpdate:TASK_STATE_COMPLETED',
        ]
        # A task that is already WORKING may skip the WORKING update.
        allowed = [wanted]
        if events[0].task.status.state == TaskState.TASK_STATE_WORKING:
            allowed.append(wanted[1:])
        check(
            labels[1:] in allowed,
            f'the task, then exactly {wanted} in order; got {labels}',
        )
        return {'events': labels}

    async def step_get_task(self) -> dict:
        assert self.unary is not None
        task_id = self.completed_task_id
        full = await self.unary.get_task(GetTaskRequest(id=task_id))
        check(full.id == task_id, 'the task asked for')
        check(
            full.status.state == TaskState.TASK_STATE_COMPLETED,
            f'COMPLETED, got {state_name(full.status.state)}',
        )
        check(len(full.history) >= 1, 'the full task has its history')
        limited = await self.unary.get_task(
            GetTaskRequest(id=task_id, history_length=1)
        )
        check(
            len(limited.history) <= 1,
            f'historyLength 1 gives at most 1 message, got {len(limited.history)}',
        )
        none = await self.unary.get_task(GetTaskRequest(id=task_id, history_length=0))
        check(
            len(none.history) == 0,
            f'historyLength 0 gives no history, got {len(none.history)}',
        )
        return {
            'history': len(full.history),
            'historyLength1': len(limited.history),
            'historyLength0': len(none.history),
        }

    async def step_list_tasks(self) -> dict:
        assert self.unary is not None
        context_id = f'interop-list-{uuid.uuid4()}'
        sent = []
        for _ in range(3):
            task = await self.send_task(
                user_message('tck-complete-task', context_id=context_id)
            )
            check(task.context_id == context_id, 'the task keeps the contextId')
            sent.append(task.id)
        seen: list[str] = []
        page_sizes = []
        token = ''
        for _ in range(5):
            request = ListTasksRequest(context_id=context_id, page_size=2)
            if token:
                request.page_token = token
            page = await self.unary.list_tasks(request)
            page_sizes.append(len(page.tasks))
            check(len(page.tasks) <= 2, f'at most 2 a page, got {len(page.tasks)}')
            check(
                all(t.context_id == context_id for t in page.tasks),
                'only tasks of the context',
            )
            check(page.total_size == 3, f'totalSize 3, got {page.total_size}')
            seen.extend(t.id for t in page.tasks)
            token = page.next_page_token
            if not token:
                break
        else:
            raise StepFailed(f'paging did not end; pages {page_sizes}')
        check(page_sizes == [2, 1], f'pages of 2 then 1, got {page_sizes}')
        check(
            sorted(seen) == sorted(sent),
            f'each task exactly once: sent {sent}, listed {seen}',
        )
        # Newest first: the last task sent is listed first.
        check(seen[0] == sent[-1], 'newest first')
        return {'pages': page_sizes, 'tasks': len(seen)}

    async def step_multi_turn(self) -> dict:
        opening = user_message('tck-input-required')
        first = await self.send_task(opening)
        check(
            first.status.state == TaskState.TASK_STATE_INPUT_REQUIRED,
            f'INPUT_REQUIRED, got {state_name(first.status.state)}',
        )
        follow_up = user_message(
            'tck-complete-task', task_id=first.id, context_id=first.context_id
        )
        task = await self.send_task(follow_up)
        check(task.id == first.id, 'the follow-up continues the same task')
        check(
            task.status.state == TaskState.TASK_STATE_COMPLETED,
            f'COMPLETED, got {state_name(task.status.state)}',
        )
        ids = [m.message_id for m in task.history]
        check(
            opening.message_id in ids and follow_up.message_id in ids,
            f'both user messages are in the history, got {ids}',
        )
        return {'taskId': task.id, 'history': len(task.history)}

    async def step_cancel_input_required(self) -> dict:
        assert self.unary is not None
        task = await self.new_input_required_task()
        canceled = await self.unary.cancel_task(CancelTaskRequest(id=task.id))
        check(canceled.id == task.id, 'the canceled task is the one asked for')
        check(
            canceled.status.state == TaskState.TASK_STATE_CANCELED,
            f'CANCELED, got {state_name(canceled.status.state)}',
        )
        again = await self.unary.get_task(GetTaskRequest(id=task.id))
        check(
            again.status.state == TaskState.TASK_STATE_CANCELED,
            f'GetTask sees CANCELED, got {state_name(again.status.state)}',
        )
        return {'state': state_name(canceled.status.state)}

    async def step_cancel_completed(self) -> dict:
        assert self.unary is not None
        try:
            task = await self.unary.cancel_task(
                CancelTaskRequest(id=self.completed_task_id)
            )
        except TaskNotCancelableError as e:
            return {'error': type(e).__name__, 'message': e.message}
        raise StepFailed(
            f'TaskNotCancelableError, got a task in {state_name(task.status.state)}'
        )

    async def step_cancel_working(self) -> dict:
        """Cancels a task while its executor is still running."""
        assert self.unary is not None
        task = await self.send_task(
            user_message('test-resubscribe-message-id'), return_immediately=True
        )
        check(
            task.status.state
            in (TaskState.TASK_STATE_SUBMITTED, TaskState.TASK_STATE_WORKING),
            f'SUBMITTED or WORKING, got {state_name(task.status.state)}',
        )
        canceled = await self.unary.cancel_task(CancelTaskRequest(id=task.id))
        check(
            canceled.status.state == TaskState.TASK_STATE_CANCELED,
            f'CANCELED, got {state_name(canceled.status.state)}',
        )
        return {'before': state_name(task.status.state), 'after': 'TASK_STATE_CANCELED'}

    async def step_subscribe(self) -> dict:
        assert self.streaming is not None
        task = await self.new_input_required_task()
        stream: AsyncIterator[StreamResponse] = self.streaming.subscribe(
            SubscribeToTaskRequest(id=task.id)
        )
        first = await anext(stream)
        check(first.HasField('task'), f'a Task snapshot first, got {describe(first)}')
        check(first.task.id == task.id, 'the snapshot is of the task')
        check(
            first.task.status.state == TaskState.TASK_STATE_INPUT_REQUIRED,
            f'the snapshot is INPUT_REQUIRED, got {describe(first)}',
        )
        # Complete the task from another request while the stream is open.
        follow_up = asyncio.create_task(
            self.send_task(
                user_message(
                    'tck-complete-task', task_id=task.id, context_id=task.context_id
                )
            )
        )
        labels = [describe(first)]
        terminal = None
        async for event in stream:
            labels.append(describe(event))
            state = None
            if event.HasField('status_update'):
                state = event.status_update.status.state
            elif event.HasField('task'):
                state = event.task.status.state
            if state == TaskState.TASK_STATE_COMPLETED:
                terminal = event
                break
        finished = await follow_up
        check(terminal is not None, f'a COMPLETED event on the stream, got {labels}')
        check(
            finished.status.state == TaskState.TASK_STATE_COMPLETED,
            'the follow-up completed the task',
        )
        return {'events': labels}

    async def step_get_unknown(self) -> dict:
        assert self.unary is not None
        missing = f'no-such-task-{uuid.uuid4()}'
        try:
            task = await self.unary.get_task(GetTaskRequest(id=missing))
        except TaskNotFoundError as e:
            return {'error': type(e).__name__, 'message': e.message}
        raise StepFailed(f'TaskNotFoundError, got task {task.id}')

    async def step_push(self) -> dict:
        assert self.unary is not None and self.card is not None
        task_id = self.completed_task_id
        config = TaskPushNotificationConfig(
            task_id=task_id,
            id=f'interop-{RUN}',
            url='http://127.0.0.1:9/webhook',
            token='interop-token',
        )
        if not self.card.capabilities.push_notifications:
            try:
                await self.unary.create_task_push_notification_config(config)
            except PushNotificationNotSupportedError as e:
                return {
                    'supported': False,
                    'error': type(e).__name__,
                    'message': e.message,
                }
            raise StepFailed(
                'the card says pushNotifications is false, yet creating a '
                'config succeeded'
            )
        # Full configuration CRUD.
        created = await self.unary.create_task_push_notification_config(config)
        check(created.url == config.url, 'create echoes the URL')
        got = await self.unary.get_task_push_notification_config(
            GetTaskPushNotificationConfigRequest(task_id=task_id, id=created.id)
        )
        check(got.id == created.id and got.url == config.url, 'get finds it')
        listed = await self.unary.list_task_push_notification_configs(
            ListTaskPushNotificationConfigsRequest(task_id=task_id)
        )
        check(
            any(c.id == created.id for c in listed.configs),
            'list contains it',
        )
        await self.unary.delete_task_push_notification_config(
            DeleteTaskPushNotificationConfigRequest(task_id=task_id, id=created.id)
        )
        listed = await self.unary.list_task_push_notification_configs(
            ListTaskPushNotificationConfigsRequest(task_id=task_id)
        )
        check(
            all(c.id != created.id for c in listed.configs),
            'delete removed it',
        )
        return {'supported': True, 'id': created.id}

    async def step_push_delivery(self) -> dict:
        """Registers a webhook with the SDK's client, finishes the task and
        waits for the agent's POSTs: StreamResponse bodies ending with the
        completed status, the token in a header, and (when the agent signs)
        a Standard Webhooks signature keyed by the token."""
        assert self.unary is not None and self.card is not None
        if not self.card.capabilities.push_notifications:
            return {'supported': False}
        receiver = WebhookReceiver()
        try:
            task = await self.new_input_required_task()
            token = f'delivery-token-{RUN}'
            await self.unary.create_task_push_notification_config(
                TaskPushNotificationConfig(
                    task_id=task.id,
                    id=f'delivery-{RUN}',
                    url=receiver.url,
                    token=token,
                )
            )
            done = await self.send_task(
                user_message(
                    'tck-complete-task', task_id=task.id, context_id=task.context_id
                )
            )
            check(
                done.status.state == TaskState.TASK_STATE_COMPLETED,
                f'COMPLETED, got {state_name(done.status.state)}',
            )
            states: list[str] = []
            while not states or states[-1] != 'TASK_STATE_COMPLETED':
                await asyncio.sleep(0.05)
                states = []
                for _, body in list(receiver.received):
                    event = json_format.Parse(body, StreamResponse())
                    kind = event_kind(event)
                    if kind == 'status_update':
                        check(event.status_update.task_id == task.id, 'the task id')
                        states.append(state_name(event.status_update.status.state))
                    elif kind == 'task':
                        states.append(state_name(event.task.status.state))
            signed = 0
            secret = 'whsec_' + base64.b64encode(token.encode()).decode()
            for headers, body in receiver.received:
                check(
                    token
                    in (
                        headers.get('x-a2a-notification-token'),
                        headers.get('a2a-notification-token'),
                    ),
                    f'the token in a header, got {headers}',
                )
                if 'webhook-signature' in headers:
                    Webhook(secret).verify(body, headers)
                    signed += 1
            return {
                'supported': True,
                'deliveries': len(receiver.received),
                'signed': signed,
                'states': states,
            }
        finally:
            receiver.close()


STEPS = [
    'card',
    'send_complete',
    'send_message_response',
    'stream',
    'get_task',
    'list_tasks',
    'multi_turn',
    'cancel_input_required',
    'cancel_completed',
    'cancel_working',
    'subscribe',
    'get_unknown',
    'push',
    'push_delivery',
]


def emit(record: dict) -> None:
    print(json.dumps(record), flush=True)


async def run(base_url: str, binding: str) -> int:
    scenario = Scenario(base_url, binding)
    try:
        for name in STEPS:
            step = getattr(scenario, f'step_{name}')
            try:
                details = await asyncio.wait_for(step(), STEP_TIMEOUT)
            except asyncio.TimeoutError:
                error = f'timed out after {STEP_TIMEOUT} s'
                emit({'step': name, 'ok': False, 'error': error})
                return 1
            except Exception as e:  # noqa: BLE001 - every failure is reported
                emit(
                    {
                        'step': name,
                        'ok': False,
                        'error': f'{type(e).__name__}: {e}',
                        'trace': traceback.format_exc(limit=6),
                    }
                )
                return 1
            emit({'step': name, 'ok': True, 'binding': binding, **details})
    finally:
        await scenario.close()
    return 0


def main() -> None:
    if len(sys.argv) != 3 or sys.argv[2] not in BINDINGS:
        sys.exit(f'usage: {sys.argv[0]} BASE_URL {"|".join(BINDINGS)}')
    sys.exit(asyncio.run(run(sys.argv[1].rstrip('/'), sys.argv[2])))


if __name__ == '__main__':
    main()
