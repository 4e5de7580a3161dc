"""Drives an A2A agent with the official Python SDK of protocol v0.3.

    python tests/python/v0_3_client.py BASE_URL jsonrpc|http_json|grpc

Runs in the v0.3 SDK's own environment (``.ci/python-env-v0_3``). Reads the
agent card at BASE_URL as a v0.3 card, builds the SDK's client for the
chosen transport (gRPC over a cleartext channel to the card's bare
``host:port``) and runs a fixed scenario against an agent that behaves by
message id prefix (the Rust conformance agent). Each step prints one JSON
object on stdout, ``{"step": ..., "ok": true, ...}``; the first failing step
prints ``"ok": false`` with the reason and the process exits with status 1.
"""

import asyncio
import json
import sys
import traceback
import uuid

import grpc.aio
import httpx

from a2a.client import A2ACardResolver, A2AClientHTTPError, ClientConfig, ClientFactory
from a2a.client.errors import A2AClientJSONRPCError
from a2a.types import (
    GetTaskPushNotificationConfigParams,
    Message,
    Part,
    PushNotificationConfig,
    Role,
    Task,
    TaskIdParams,
    TaskPushNotificationConfig,
    TaskQueryParams,
    TaskState,
    TextPart,
    TransportProtocol,
)

STEP_TIMEOUT = 20


def report(step: str, ok: bool = True, **details) -> None:
    print(json.dumps({'step': step, 'ok': ok, **details}, default=str), flush=True)


def message(prefix: str, text: str = 'hello', task_id: str | None = None) -> Message:
    return Message(
        role=Role.user,
        parts=[Part(root=TextPart(text=text))],
        message_id=f'{prefix}-{uuid.uuid4()}',
        task_id=task_id,
    )


async def only_result(client, msg: Message):
    """The one answer of a non-streaming send: a Task or a Message."""
    results = [event async for event in client.send_message(msg)]
    assert len(results) == 1, f'expected one answer, got {results!r}'
    result = results[0]
    return result[0] if isinstance(result, tuple) else result


def error_code(err: Exception):
    """The JSON-RPC code, HTTP status or gRPC status name an SDK error carries."""
    if isinstance(err, A2AClientJSONRPCError):
        return err.error.code
    if isinstance(err, A2AClientHTTPError):
        return err.status_code
    if isinstance(err, grpc.aio.AioRpcError):
        return err.code().name
    raise err


async def expect_error(call, wanted: dict, transport: str):
    """Awaits a call that must fail with `wanted[transport]`."""
    try:
        result = await call
    except (A2AClientJSONRPCError, A2AClientHTTPError, grpc.aio.AioRpcError) as err:
        code = error_code(err)
        assert code == wanted[transport], f'expected error {wanted[transport]}, got {code}: {err}'
        return code
    raise AssertionError(f'expected an error, got {result!r}')


async def scenario(base: str, transport: str) -> None:
    async with httpx.AsyncClient(timeout=STEP_TIMEOUT) as http:
        card = await A2ACardResolver(http, base).get_agent_card()
        transports = {card.preferred_transport: card.url}
        for interface in card.additional_interfaces or []:
            transports.setdefault(interface.transport, interface.url)
        assert card.url.startswith(base), card.url
        assert {'JSONRPC', 'HTTP+JSON', 'GRPC'} <= set(transports), transports
        report('card', url=card.url, transports=transports, protocol=card.protocol_version)

        wanted = {
            'jsonrpc': TransportProtocol.jsonrpc,
            'http_json': TransportProtocol.http_json,
            'grpc': TransportProtocol.grpc,
        }[transport]

        def client(streaming: bool):
            config = ClientConfig(
                httpx_client=http,
                streaming=streaming,
                supported_transports=[wanted],
                grpc_channel_factory=grpc.aio.insecure_channel,
            )
            return ClientFactory(config).create(card)

        unary = client(False)
        streaming = client(True)

        task = await only_result(unary, message('tck-complete-task'))
        assert isinstance(task, Task), task
        assert task.status.state == TaskState.completed, task.status
        assert task.kind == 'task'
        report('send_complete', task=task.id, state=task.status.state.value)

        reply = await only_result(unary, message('tck-message-response'))
        assert isinstance(reply, Message), reply
        assert reply.role == Role.agent
        report('send_message_response', text=reply.parts[0].root.text)

        states = []
        async for event in streaming.send_message(message('tck-complete-task')):
            assert isinstance(event, tuple), event
            streamed, _update = event
            # The SDK folds each event into the task it tracks.
            states.append(streamed.status.state.value)
        assert states and states[-1] == 'completed', states
        report('stream', states=states)

        fetched = await unary.get_task(TaskQueryParams(id=task.id, history_length=1))
        assert fetched.id == task.id and fetched.status.state == TaskState.completed
        assert len(fetched.history or []) <= 1, fetched.history
        report('get_task', history=len(fetched.history or []))

        waiting = await only_result(unary, message('tck-input-required'))
        assert waiting.status.state == TaskState.input_required, waiting.status
        canceled = await unary.cancel_task(TaskIdParams(id=waiting.id))
        assert canceled.status.state == TaskState.canceled, canceled.status
        report('cancel_input_required', state=canceled.status.state.value)

        code = await expect_error(
            unary.cancel_task(TaskIdParams(id=task.id)),
            {'jsonrpc': -32002, 'http_json': 409, 'grpc': 'UNIMPLEMENTED'},
            transport,
        )
        report('cancel_completed', code=code)

        code = await expect_error(
            unary.get_task(TaskQueryParams(id=f'missing-{uuid.uuid4()}')),
            {'jsonrpc': -32001, 'http_json': 404, 'grpc': 'NOT_FOUND'},
            transport,
        )
        report('get_unknown', code=code)

        config = TaskPushNotificationConfig(
            task_id=task.id,
            push_notification_config=PushNotificationConfig(id='hook-1', url='http://127.0.0.1:9/hook', token='tok'),
        )
        stored = await unary.set_task_callback(config)
        assert stored.task_id == task.id, stored
        assert stored.push_notification_config.url == 'http://127.0.0.1:9/hook', stored
        got = await unary.get_task_callback(
            GetTaskPushNotificationConfigParams(id=task.id, push_notification_config_id='hook-1')
        )
        assert got.push_notification_config.id == 'hook-1', got
        assert got.push_notification_config.token == 'tok', got
        report('push', id=got.push_notification_config.id)


async def main() -> None:
    if len(sys.argv) != 3 or sys.argv[2] not in ('jsonrpc', 'http_json', 'grpc'):
        sys.exit(f'usage: {sys.argv[0]} BASE_URL jsonrpc|http_json|grpc')
    try:
        await asyncio.wait_for(scenario(sys.argv[1].rstrip('/'), sys.argv[2]), timeout=120)
    except Exception as err:  # noqa: BLE001 - every failure is reported the same way
        report('failed', ok=False, error=repr(err), trace=traceback.format_exc())
        sys.exit(1)


if __name__ == '__main__':
    asyncio.run(main())
