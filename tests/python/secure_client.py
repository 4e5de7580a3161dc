"""Calls an agent that requires credentials with the official Python SDK's
client and its own ``AuthInterceptor``, which reads the card's security
schemes and adds whatever credentials its ``CredentialService`` has.

    python tests/python/secure_client.py BASE_URL jsonrpc|http_json|grpc API_KEY TOKEN

The agent answers each message with the caller's name. Each step prints one
JSON object, ``{"step": ..., "ok": true|false, ...}``; a failing step ends
the run with status 1.
"""

import asyncio
import json
import sys

import grpc.aio
import httpx

from a2a.client import A2ACardResolver, ClientConfig, ClientFactory
from a2a.client.auth.credentials import CredentialService
from a2a.client.auth.interceptor import AuthInterceptor
from a2a.types.a2a_pb2 import (
    GetExtendedAgentCardRequest,
    Message,
    Part,
    Role,
    SendMessageRequest,
    TaskState,
)

BINDINGS = {'jsonrpc': 'JSONRPC', 'http_json': 'HTTP+JSON', 'grpc': 'GRPC'}


class Credentials(CredentialService):
    """The same credentials for every call, by scheme name."""

    def __init__(self, by_scheme: dict[str, str]) -> None:
        self.by_scheme = by_scheme

    async def get_credentials(self, security_scheme_name, context):
        return self.by_scheme.get(security_scheme_name)


def client(card, binding: str, by_scheme: dict[str, str]):
    config = ClientConfig(streaming=False, supported_protocol_bindings=[binding])
    if binding == 'GRPC':
        config.grpc_channel_factory = grpc.aio.insecure_channel
    return ClientFactory(config).create(card, [AuthInterceptor(Credentials(by_scheme))])


async def greeting(c) -> str:
    message = Message(
        message_id='m-' + str(id(c)), role=Role.ROLE_USER, parts=[Part(text='hi')]
    )
    events = [e async for e in c.send_message(SendMessageRequest(message=message))]
    task = events[0].task
    if task.status.state != TaskState.TASK_STATE_COMPLETED:
        raise AssertionError(f'a completed task, got {task.status.state}')
    return task.artifacts[0].parts[0].text


def report(step: str, ok: bool, **details) -> None:
    print(json.dumps({'step': step, 'ok': ok, **details}), flush=True)
    if not ok:
        sys.exit(1)


async def main() -> None:
    base, binding_name, api_key, token = sys.argv[1:5]
    binding = BINDINGS[binding_name]
    async with httpx.AsyncClient(timeout=30.0) as http:
        card = await A2ACardResolver(http, base).get_agent_card()
    report('public_card', bool(card.security_schemes), schemes=sorted(card.security_schemes))

    anonymous = client(card, binding, {})
    try:
        await greeting(anonymous)
        report('anonymous_refused', False, why='an anonymous call was served')
    except Exception as err:  # the SDK's error for 401 / UNAUTHENTICATED
        text = f'{type(err).__name__}: {err}'
        refused = any(word in text.lower() for word in ('401', 'unauthenticated', 'credentials'))
        report('anonymous_refused', refused, error=text[:300])

    by_key = client(card, binding, {'apiKey': api_key})
    who = await greeting(by_key)
    report('api_key', who == 'alice', caller=who)

    by_token = client(card, binding, {'bearer': token})
    who = await greeting(by_token)
    report('bearer_jwt', who == 'carol', caller=who)

    extended = await by_token.get_extended_agent_card(GetExtendedAgentCardRequest())
    report('extended_card', extended.description == 'the full story', description=extended.description)

    for c in (anonymous, by_key, by_token):
        await c.close()


if __name__ == '__main__':
    try:
        asyncio.run(asyncio.wait_for(main(), 60))
    except SystemExit:
        raise
    except BaseException as err:  # noqa: BLE001
        report('error', False, error=f'{type(err).__name__}: {err}')
