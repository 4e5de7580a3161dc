"""v0.3 HTTP+JSON (REST) bodies as the official Python SDK (a2a-sdk 0.3.x) writes and reads them.

The SDK's REST binding sends the protobuf JSON mapping of its `a2a.v1`
messages: it converts its pydantic models with `proto_utils.ToProto`,
writes with `json_format.MessageToJson`/`MessageToDict`, and reads with
`json_format.Parse` followed by `proto_utils.FromProto`.

Two uses:

    python v0_3_rest.py fixtures DIR
        writes one sample of each body, built with the SDK's models and
        converters, to DIR/<name>.json (the fixtures of tests/v0_3_rest.rs);

    python v0_3_rest.py check
        reads {"<name>": <json>, ...} on stdin, parses each value into the
        a2a_pb2 message its name says (unknown members are refused, as the
        SDK refuses them), and prints {"<name>": {"proto": <that message
        written back as the SDK writes it>, "sdk": <what FromProto made of
        it, as the SDK's JSON-RPC models dump it>}, ...}.
"""

import json
import sys
from pathlib import Path

from google.protobuf import json_format

from a2a import types as t
from a2a.grpc import a2a_pb2
from a2a.utils import proto_utils

ToProto = proto_utils.ToProto
FromProto = proto_utils.FromProto


def dump(model):
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def configs(response):
    return [dump(FromProto.task_push_notification_config(c)) for c in response.configs]


# Each name checked: its proto message and how the SDK turns it into its models.
READERS = {
    "task": (a2a_pb2.Task, lambda m: dump(FromProto.task(m))),
    "message": (a2a_pb2.Message, lambda m: dump(FromProto.message(m))),
    "status_update": (a2a_pb2.TaskStatusUpdateEvent, lambda m: dump(FromProto.task_status_update_event(m))),
    "artifact_update": (
        a2a_pb2.TaskArtifactUpdateEvent,
        lambda m: dump(FromProto.task_artifact_update_event(m)),
    ),
    "send_message_request": (a2a_pb2.SendMessageRequest, lambda m: dump(FromProto.message_send_params(m))),
    "send_message_response": (a2a_pb2.SendMessageResponse, lambda m: dump(FromProto.task_or_message(m))),
    "stream_response": (a2a_pb2.StreamResponse, lambda m: dump(FromProto.stream_response(m))),
    "task_push_notification_config": (
        a2a_pb2.TaskPushNotificationConfig,
        lambda m: dump(FromProto.task_push_notification_config(m)),
    ),
    "create_push_config_request": (
        a2a_pb2.CreateTaskPushNotificationConfigRequest,
        lambda m: dump(FromProto.task_push_notification_config_request(m)),
    ),
    "list_push_config_response": (a2a_pb2.ListTaskPushNotificationConfigResponse, configs),
    "cancel_task_request": (a2a_pb2.CancelTaskRequest, lambda m: dump(FromProto.task_id_params(m))),
    "agent_card": (a2a_pb2.AgentCard, lambda m: dump(FromProto.agent_card(m))),
}


def to_json(pb):
    """The JSON the SDK sends for a proto message (MessageToJson's defaults)."""
    return json.loads(json_format.MessageToJson(pb))


def parts():
    return [
        t.Part(root=t.TextPart(text="What is in these files?", metadata={"lang": "en"})),
        t.Part(
            root=t.FilePart(
                file=t.FileWithBytes(bytes="aGVsbG8gd29ybGQ=", mime_type="text/plain", name="hello.txt")
            )
        ),
        t.Part(root=t.FilePart(file=t.FileWithUri(uri="https://files.example.com/report.pdf"))),
        t.Part(root=t.DataPart(data={"rows": [1, 2.5, None, "x"], "nested": {"ok": True}})),
    ]


def message(role=t.Role.user, **extra):
    return t.Message(message_id="msg-1", role=role, parts=parts(), **extra)


def push_config(config_id="cfg-1"):
    return t.PushNotificationConfig(
        id=config_id,
        url="https://client.example.com/hook",
        token="opaque",
        authentication=t.PushNotificationAuthenticationInfo(schemes=["Bearer", "Basic"], credentials="s3cret"),
    )


def card():
    return t.AgentCard(
        name="Travel Agent",
        description="Books trips",
        url="https://travel.example.com/a2a/rest",
        preferred_transport="HTTP+JSON",
        additional_interfaces=[
            t.AgentInterface(url="https://travel.example.com/a2a/rest", transport="HTTP+JSON"),
            t.AgentInterface(url="https://travel.example.com/a2a/jsonrpc", transport="JSONRPC"),
        ],
        protocol_version="0.3.0",
        version="2.1.0",
        provider=t.AgentProvider(organization="Example Org", url="https://example.com"),
        documentation_url="https://travel.example.com/docs",
        capabilities=t.AgentCapabilities(
            streaming=True,
            push_notifications=True,
            extensions=[
                t.AgentExtension(
                    uri="https://ext.example.com/v1",
                    description="Traces",
                    required=True,
                    params={"level": 2},
                )
            ],
        ),
        security_schemes={
            "apiKey": t.SecurityScheme(root=t.APIKeySecurityScheme(in_=t.In.header, name="X-API-Key")),
            "bearer": t.SecurityScheme(
                root=t.HTTPAuthSecurityScheme(scheme="Bearer", bearer_format="JWT", description="JWTs")
            ),
            "oauth": t.SecurityScheme(
                root=t.OAuth2SecurityScheme(
                    flows=t.OAuthFlows(
                        authorization_code=t.AuthorizationCodeOAuthFlow(
                            authorization_url="https://auth.example.com/authorize",
                            token_url="https://auth.example.com/token",
                            refresh_url="https://auth.example.com/refresh",
                            scopes={"trips:read": "Read trips"},
                        )
                    ),
                )
            ),
            "machines": t.SecurityScheme(
                root=t.OAuth2SecurityScheme(
                    flows=t.OAuthFlows(
                        client_credentials=t.ClientCredentialsOAuthFlow(
                            token_url="https://auth.example.com/token", scopes={}
                        )
                    ),
                )
            ),
            "oidc": t.SecurityScheme(
                root=t.OpenIdConnectSecurityScheme(
                    open_id_connect_url="https://auth.example.com/.well-known/openid-configuration"
                )
            ),
            "mtls": t.SecurityScheme(root=t.MutualTLSSecurityScheme(description="Client certificates")),
        },
        security=[{"oauth": ["trips:read"]}, {"apiKey": [], "mtls": []}],
        default_input_modes=["text/plain", "application/json"],
        default_output_modes=["text/plain"],
        skills=[
            t.AgentSkill(
                id="book",
                name="Book a trip",
                description="Books flights and hotels",
                tags=["travel"],
                examples=["Book me a flight to Paris"],
                input_modes=["text/plain"],
                output_modes=["application/json"],
            )
        ],
        supports_authenticated_extended_card=True,
        signatures=[t.AgentCardSignature(protected="eyJhbGciOiJFUzI1NiJ9", signature="c2ln", header={"kid": "k1"})],
    )


def samples():
    status_message = t.Message(
        message_id="msg-2",
        role=t.Role.agent,
        parts=[t.Part(root=t.TextPart(text="Which city?"))],
        context_id="ctx-1",
        task_id="task-1",
    )
    task = t.Task(
        id="task-1",
        context_id="ctx-1",
        status=t.TaskStatus(state=t.TaskState.input_required, message=status_message),
        history=[
            message(
                context_id="ctx-1",
                task_id="task-1",
                metadata={"trace": "abc"},
                extensions=["https://ext.example.com/v1"],
            ),
            status_message,
        ],
        artifacts=[
            t.Artifact(
                artifact_id="art-1",
                name="Summary",
                description="What the files hold",
                parts=parts(),
                metadata={"pages": 3},
                extensions=["https://ext.example.com/v1"],
            )
        ],
        metadata={"priority": 1},
    )
    status_update = ToProto.task_status_update_event(
        t.TaskStatusUpdateEvent(
            task_id="task-1",
            context_id="ctx-1",
            status=t.TaskStatus(state=t.TaskState.canceled),
            final=True,
            metadata={"step": 3},
        )
    )
    # ToProto leaves the timestamp out; the proto has it, so set it there.
    status_update.status.timestamp.FromJsonString("2025-07-01T10:20:31.250Z")
    artifact_update = ToProto.task_artifact_update_event(
        t.TaskArtifactUpdateEvent(
            task_id="task-1",
            context_id="ctx-1",
            artifact=t.Artifact(artifact_id="art-1", parts=[t.Part(root=t.TextPart(text="chunk"))]),
            append=True,
            last_chunk=True,
        )
    )
    agent_reply = t.Message(
        message_id="msg-3", role=t.Role.agent, parts=[t.Part(root=t.TextPart(text="Done"))], context_id="ctx-1"
    )
    task_push_config = t.TaskPushNotificationConfig(task_id="task-1", push_notification_config=push_config())
    # The bodies as the SDK's REST client builds them.
    send_request = a2a_pb2.SendMessageRequest(
        request=ToProto.message(message(context_id="ctx-1")),
        configuration=ToProto.message_send_configuration(
            t.MessageSendConfiguration(
                accepted_output_modes=["text/plain"],
                blocking=True,
                history_length=5,
                push_notification_config=push_config(),
            )
        ),
        metadata=ToProto.metadata({"source": "test"}),
    )
    create_request = a2a_pb2.CreateTaskPushNotificationConfigRequest(
        parent="tasks/task-1",
        config_id="cfg-1",
        config=ToProto.task_push_notification_config(task_push_config),
    )
    # The SDK's REST server answers this call with an error (not implemented);
    # this is the response message its proto declares.
    list_response = a2a_pb2.ListTaskPushNotificationConfigResponse(
        configs=[
            ToProto.task_push_notification_config(task_push_config),
            ToProto.task_push_notification_config(
                t.TaskPushNotificationConfig(
                    task_id="task-1",
                    push_notification_config=t.PushNotificationConfig(id="cfg-2", url="https://b.example/hook"),
                )
            ),
        ],
        next_page_token="page-2",
    )
    minimal_card = t.AgentCard(
        name="Echo",
        description="Echoes",
        url="http://localhost:9999/",
        version="1.0.0",
        capabilities=t.AgentCapabilities(),
        default_input_modes=["text/plain"],
        default_output_modes=["text/plain"],
        skills=[],
    )
    values = {
        "task": ToProto.task(task),
        "message": ToProto.message(message(context_id="ctx-1")),
        "status_update": status_update,
        "artifact_update": artifact_update,
        "send_message_request": send_request,
        "send_message_response_task": ToProto.task_or_message(task),
        "send_message_response_message": ToProto.task_or_message(agent_reply),
        "stream_task": ToProto.stream_response(task),
        "stream_message": ToProto.stream_response(agent_reply),
        "stream_status_update": a2a_pb2.StreamResponse(status_update=status_update),
        "stream_artifact_update": a2a_pb2.StreamResponse(artifact_update=artifact_update),
        "task_push_notification_config": ToProto.task_push_notification_config(task_push_config),
        "create_push_config_request": create_request,
        "list_push_config_response": list_response,
        "cancel_task_request": a2a_pb2.CancelTaskRequest(name="tasks/task-1"),
        "agent_card": ToProto.agent_card(card()),
        "minimal_agent_card": ToProto.agent_card(minimal_card),
    }
    return {name: to_json(pb) for name, pb in values.items()}


def main():
    if sys.argv[1] == "fixtures":
        directory = Path(sys.argv[2])
        directory.mkdir(parents=True, exist_ok=True)
        for name, value in samples().items():
            (directory / f"{name}.json").write_text(json.dumps(value, indent=2, sort_keys=True) + "\n")
    elif sys.argv[1] == "check":
        values = json.load(sys.stdin)
        out = {}
        for name, value in values.items():
            message_type, read = READERS[name]
            pb = message_type()
            json_format.Parse(json.dumps(value), pb)
            out[name] = {"proto": to_json(pb), "sdk": read(pb)}
        json.dump(out, sys.stdout)
    else:
        raise SystemExit(f"unknown command {sys.argv[1]!r}")


if __name__ == "__main__":
    main()
