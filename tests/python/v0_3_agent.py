"""An agent on the official Python SDK of protocol v0.3, for our client to call.

    python tests/python/v0_3_agent.py

Runs in the v0.3 SDK's own environment (``.ci/python-env-v0_3``). Serves, on
one free port of 127.0.0.1, the v0.3 card at ``/.well-known/agent-card.json``,
the HTTP+JSON binding at the root (``/v1/...``) and JSON-RPC at ``/jsonrpc``,
and gRPC (``a2a.v1.A2AService``) on a second port, all on the SDK's own apps,
handler and in-memory stores. Prints ``READY <http port> <grpc port>`` once
both accept connections.

What it does with a message, by its text:

* ``input``: asks for more input (the task stays open);
* ``slow``: works for a few seconds before answering, so it can be canceled;
* anything else: answers with an artifact ``echo`` holding the text, and
  completes (streamed as working, the artifact, then completed).
"""

import asyncio
import socket

import grpc.aio
import uvicorn

from a2a.grpc import a2a_pb2_grpc

from a2a.server.agent_execution import AgentExecutor, RequestContext
from a2a.server.apps import A2AFastAPIApplication, A2ARESTFastAPIApplication
from a2a.server.events import EventQueue
from a2a.server.request_handlers import DefaultRequestHandler, GrpcHandler
from a2a.server.tasks import InMemoryPushNotificationConfigStore, InMemoryTaskStore, TaskUpdater
from a2a.types import (
    AgentCapabilities,
    AgentCard,
    AgentInterface,
    AgentSkill,
    Part,
    TextPart,
)
from a2a.utils import new_agent_text_message, new_task


class EchoExecutor(AgentExecutor):
    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        task = context.current_task
        if task is None:
            task = new_task(context.message)
            await event_queue.enqueue_event(task)
        updater = TaskUpdater(event_queue, task.id, task.context_id)
        text = context.get_user_input()
        await updater.start_work()
        if text == 'input':
            await updater.requires_input(
                new_agent_text_message('what else?', task.context_id, task.id), final=True
            )
            return
        if text == 'slow':
            await asyncio.sleep(5)
        await updater.add_artifact([Part(root=TextPart(text=f'echo: {text}'))], name='echo')
        await updater.complete()

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        task = context.current_task
        updater = TaskUpdater(event_queue, task.id, task.context_id)
        await updater.cancel()


def card(base: str, grpc_address: str) -> AgentCard:
    return AgentCard(
        name='Python v0.3 echo',
        description='Echoes, on the official v0.3 SDK',
        version='1.0.0',
        url=f'{base}/jsonrpc',
        preferred_transport='JSONRPC',
        additional_interfaces=[
            AgentInterface(url=f'{base}/jsonrpc', transport='JSONRPC'),
            AgentInterface(url=base, transport='HTTP+JSON'),
            AgentInterface(url=grpc_address, transport='GRPC'),
        ],
        capabilities=AgentCapabilities(streaming=True, push_notifications=True),
        default_input_modes=['text/plain'],
        default_output_modes=['text/plain'],
        skills=[AgentSkill(id='echo', name='Echo', description='Echoes', tags=['echo'])],
    )


async def main() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    grpc_server = grpc.aio.server()
    grpc_port = grpc_server.add_insecure_port('127.0.0.1:0')
    agent_card = card(f'http://127.0.0.1:{port}', f'127.0.0.1:{grpc_port}')
    handler = DefaultRequestHandler(
        agent_executor=EchoExecutor(),
        task_store=InMemoryTaskStore(),
        push_config_store=InMemoryPushNotificationConfigStore(),
    )
    app = A2ARESTFastAPIApplication(agent_card, handler).build()
    A2AFastAPIApplication(agent_card, handler).add_routes_to_app(
        app, agent_card_url='/jsonrpc/agent-card.json', rpc_url='/jsonrpc'
    )
    a2a_pb2_grpc.add_A2AServiceServicer_to_server(GrpcHandler(agent_card, handler), grpc_server)
    await grpc_server.start()
    server = uvicorn.Server(uvicorn.Config(app, log_level='warning'))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.05)
    print(f'READY {port} {grpc_port}', flush=True)
    await serving


if __name__ == '__main__':
    asyncio.run(main())
