"""An A2A agent built on the official Python SDK, for interop tests.

    python tests/python/agent.py HTTP_PORT [GRPC_PORT]

Listens on 127.0.0.1:HTTP_PORT and serves:

* the agent card at ``/.well-known/agent-card.json``;
* JSON-RPC at ``POST /a2a/jsonrpc``;
* HTTP+JSON (REST) under ``/a2a/rest``;

and serves gRPC (``lf.a2a.v1.A2AService``, the SDK's ``GrpcHandler``) on
127.0.0.1:GRPC_PORT, listed in the card as the bare ``127.0.0.1:GRPC_PORT``.
A port of 0, and a missing GRPC_PORT, pick a free port. All three bindings
share one request handler, so a task created over one is visible over the
others. Streaming and push notifications (configuration CRUD over an
in-memory store) are enabled. Once both servers accept connections it prints
one line, ``READY <http port> <grpc port>``, and flushes stdout, so a test
can wait for it.

The executor picks its behaviour from the prefix of the incoming message id,
like the Rust conformance agent (longest prefixes first):

* ``tck-complete-task``: completes; the final status carries the agent
  message "Hello from TCK".
* ``tck-input-required``: moves the task to INPUT_REQUIRED.
* ``tck-message-response``: answers with a Message and creates no task.
* ``tck-artifact-text``: one text artifact, then completes.
* ``tck-artifact-file``: one file artifact (raw bytes "tck"), then completes.
* ``tck-artifact-data``: one data artifact, then completes.
* ``tck-stream-001``: WORKING, artifact "Stream hello from TCK", COMPLETED.
* ``slow-`` and ``test-resubscribe-message-id``: WORKING, then waits about
  3 s unless canceled, then COMPLETED.
* anything else: completes with an agent message naming the id.
"""

import asyncio
import logging
import socket
import sys

import grpc.aio
import httpx
import uvicorn

from starlette.applications import Starlette

from a2a.helpers import new_task, new_text_message, new_text_part
from a2a.server.agent_execution import AgentExecutor, RequestContext
from a2a.server.events import EventQueue
from a2a.server.request_handlers import DefaultRequestHandler, GrpcHandler
from a2a.server.routes import (
    create_agent_card_routes,
    create_jsonrpc_routes,
    create_rest_routes,
)
from a2a.server.tasks import (
    BasePushNotificationSender,
    InMemoryPushNotificationConfigStore,
    InMemoryTaskStore,
    TaskUpdater,
)
from a2a.types.a2a_pb2 import (
    AgentCapabilities,
    AgentCard,
    AgentInterface,
    AgentSkill,
    Part,
    TaskState,
)
from a2a.types.a2a_pb2_grpc import add_A2AServiceServicer_to_server


JSONRPC_PATH = '/a2a/jsonrpc'
REST_PATH = '/a2a/rest'

# How long a `slow-` task stays WORKING before it completes.
SLOW_SECONDS = 3.0


class PrefixExecutor(AgentExecutor):
    """Behaves by message id prefix; see the module docstring."""

    async def execute(
        self, context: RequestContext, event_queue: EventQueue
    ) -> None:
        message = context.message
        message_id = message.message_id if message else ''

        # A direct reply: one Message, no task.
        if message_id.startswith('tck-message-response'):
            await event_queue.enqueue_event(
                new_text_message(
                    'Direct message response', context_id=context.context_id
                )
            )
            return

        # Every other behaviour works on a task: create it first if this is
        # the first message, since status updates need an existing task.
        if context.current_task is None:
            await event_queue.enqueue_event(
                new_task(
                    task_id=context.task_id,
                    context_id=context.context_id,
                    state=TaskState.TASK_STATE_SUBMITTED,
                    history=[message] if message else [],
                )
            )
        updater = TaskUpdater(event_queue, context.task_id, context.context_id)

        def agent_message(text: str):
            return updater.new_agent_message([new_text_part(text)])

        if message_id.startswith('tck-stream-001'):
            await updater.start_work()
            await updater.add_artifact(
                [new_text_part('Stream hello from TCK')],
                artifact_id='artifact-1',
            )
            await updater.complete()
        elif message_id.startswith('tck-complete-task'):
            await updater.complete(agent_message('Hello from TCK'))
        elif message_id.startswith('tck-input-required'):
            await updater.requires_input(
                agent_message('Please provide more input')
            )
        elif message_id.startswith('tck-artifact-text'):
            await updater.add_artifact(
                [new_text_part('Generated text content')],
                artifact_id='artifact-text',
            )
            await updater.complete()
        elif message_id.startswith('tck-artifact-file'):
            part = Part(raw=b'tck', filename='output.txt', media_type='text/plain')
            await updater.add_artifact([part], artifact_id='artifact-file')
            await updater.complete()
        elif message_id.startswith('tck-artifact-data'):
            part = Part()
            part.data.struct_value.update({'key': 'value', 'count': 42})
            await updater.add_artifact([part], artifact_id='artifact-data')
            await updater.complete()
        elif message_id.startswith(('slow-', 'test-resubscribe-message-id')):
            await updater.start_work()
            # A cancel request cancels this coroutine while it sleeps; the
            # CANCELED status then comes from `cancel` below.
            await asyncio.sleep(SLOW_SECONDS)
            await updater.complete(agent_message('Slow work done'))
        else:
            await updater.complete(
                agent_message(f'Unhandled messageId prefix: {message_id}')
            )

    async def cancel(
        self, context: RequestContext, event_queue: EventQueue
    ) -> None:
        updater = TaskUpdater(event_queue, context.task_id, context.context_id)
        await updater.cancel()


def agent_card(base: str, grpc_address: str) -> AgentCard:
    """The card, with the interface URLs built from the listening addresses.

    `grpc_address` is a bare `host:port`, the form the spec gives for gRPC
    interface URLs.
    """
    return AgentCard(
        name='a2a-sdk interop agent',
        description='The official Python SDK, behaving by message id prefix',
        version='1.0.0',
        supported_interfaces=[
            AgentInterface(
                url=f'{base}{JSONRPC_PATH}',
                protocol_binding='JSONRPC',
                protocol_version='1.0',
            ),
            AgentInterface(
                url=f'{base}{REST_PATH}',
                protocol_binding='HTTP+JSON',
                protocol_version='1.0',
            ),
            AgentInterface(
                url=grpc_address,
                protocol_binding='GRPC',
                protocol_version='1.0',
            ),
        ],
        capabilities=AgentCapabilities(streaming=True, push_notifications=True),
        default_input_modes=['text'],
        default_output_modes=['text'],
        skills=[
            AgentSkill(
                id='interop',
                name='Interop',
                description='Answers the interop scenarios',
                tags=['interop'],
            )
        ],
    )


def build_handler(card: AgentCard) -> DefaultRequestHandler:
    push_store = InMemoryPushNotificationConfigStore()
    return DefaultRequestHandler(
        agent_executor=PrefixExecutor(),
        task_store=InMemoryTaskStore(),
        agent_card=card,
        push_config_store=push_store,
        push_sender=BasePushNotificationSender(httpx.AsyncClient(), push_store),
    )


def build_app(card: AgentCard, handler: DefaultRequestHandler) -> Starlette:
    routes = [
        *create_agent_card_routes(card, cache_control='max-age=300'),
        *create_jsonrpc_routes(handler, JSONRPC_PATH),
        *create_rest_routes(handler, path_prefix=REST_PATH),
    ]
    return Starlette(routes=routes)


async def main() -> None:
    if len(sys.argv) not in (2, 3):
        sys.exit(f'usage: {sys.argv[0]} HTTP_PORT [GRPC_PORT]')
    # Bind both ports first, so that port 0 works and the card names the
    # real ports.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(('127.0.0.1', int(sys.argv[1])))
    port = sock.getsockname()[1]
    base = f'http://127.0.0.1:{port}'

    grpc_server = grpc.aio.server()
    wanted_grpc_port = int(sys.argv[2]) if len(sys.argv) == 3 else 0
    grpc_port = grpc_server.add_insecure_port(f'127.0.0.1:{wanted_grpc_port}')
    if grpc_port == 0:
        sys.exit(f'could not bind the gRPC port {wanted_grpc_port}')

    card = agent_card(base, f'127.0.0.1:{grpc_port}')
    handler = build_handler(card)
    add_A2AServiceServicer_to_server(GrpcHandler(handler), grpc_server)
    await grpc_server.start()

    config = uvicorn.Config(
        build_app(card, handler),
        log_level='warning',
        lifespan='off',
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if serving.done():
                # Startup failed: surface the error.
                await serving
                sys.exit('the server stopped before it started')
            await asyncio.sleep(0.02)
        print(f'READY {port} {grpc_port}', flush=True)
        await serving
    finally:
        await grpc_server.stop(grace=None)


if __name__ == '__main__':
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(main())
