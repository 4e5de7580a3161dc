"""v0.3 JSON as the official Python SDK (a2a-sdk 0.3.x) writes it.

Two uses:

    python v0_3_roundtrip.py fixtures DIR
        writes one sample of each v0.3 object, built with the SDK's pydantic
        models, to DIR/<name>.json (the fixtures of tests/v0_3_types.rs);

    python v0_3_roundtrip.py check
        reads {"<name>": <json>, ...} on stdin, validates each value with the
        SDK model of that name and prints {"<name>": <json as the SDK writes
        it back>, ...}: the test checks that the SDK accepts what we write
        and would write the same.

The SDK writes with model_dump(mode="json", by_alias=True, exclude_none=True),
as its servers and clients do.
"""

import json
import sys
from pathlib import Path

from a2a import types as t

MODELS = {
    "task": t.Task,
    "message": t.Message,
    "status_update": t.TaskStatusUpdateEvent,
    "artifact_update": t.TaskArtifactUpdateEvent,
    "agent_card": t.AgentCard,
    "minimal_agent_card": t.AgentCard,
    "task_push_notification_config": t.TaskPushNotificationConfig,
    "message_send_params": t.MessageSendParams,
    "task_query_params": t.TaskQueryParams,
    "task_id_params": t.TaskIdParams,
    "get_push_config_params": t.GetTaskPushNotificationConfigParams,
    "list_push_config_params": t.ListTaskPushNotificationConfigParams,
    "delete_push_config_params": t.DeleteTaskPushNotificationConfigParams,
    "send_message_request": t.SendMessageRequest,
    "send_streaming_message_request": t.SendStreamingMessageRequest,
    "get_task_request": t.GetTaskRequest,
    "cancel_task_request": t.CancelTaskRequest,
    "resubscribe_request": t.TaskResubscriptionRequest,
    "set_push_config_request": t.SetTaskPushNotificationConfigRequest,
    "get_push_config_request": t.GetTaskPushNotificationConfigRequest,
    "list_push_config_request": t.ListTaskPushNotificationConfigRequest,
    "delete_push_config_request": t.DeleteTaskPushNotificationConfigRequest,
    "extended_card_request": t.GetAuthenticatedExtendedCardRequest,
    "errors": None,
}


def dump(model):
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


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


def push_config():
    return t.PushNotificationConfig(
        id="cfg-1",
        url="https://client.example.com/hook",
        token="opaque",
        authentication=t.PushNotificationAuthenticationInfo(schemes=["Bearer"], credentials="s3cret"),
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
        status=t.TaskStatus(
            state=t.TaskState.input_required,
            message=status_message,
            timestamp="2025-07-01T10:20:30.123456+00:00",
        ),
        history=[
            message(
                context_id="ctx-1",
                task_id="task-1",
                metadata={"trace": "abc"},
                extensions=["https://ext.example.com/v1"],
                reference_task_ids=["task-0"],
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
    card = t.AgentCard(
        name="Travel Agent",
        description="Books trips",
        url="https://travel.example.com/a2a/jsonrpc",
        preferred_transport="JSONRPC",
        additional_interfaces=[
            t.AgentInterface(url="https://travel.example.com/a2a/jsonrpc", transport="JSONRPC"),
            t.AgentInterface(url="https://travel.example.com/a2a/rest", transport="HTTP+JSON"),
            t.AgentInterface(url="travel.example.com:443", transport="GRPC"),
        ],
        protocol_version="0.3.0",
        version="2.1.0",
        provider=t.AgentProvider(organization="Example Org", url="https://example.com"),
        documentation_url="https://travel.example.com/docs",
        icon_url="https://travel.example.com/icon.png",
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
                    oauth2_metadata_url="https://auth.example.com/.well-known/oauth-authorization-server",
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
                security=[{"oidc": ["openid"]}],
            )
        ],
        supports_authenticated_extended_card=True,
        signatures=[t.AgentCardSignature(protected="eyJhbGciOiJFUzI1NiJ9", signature="c2ln", header={"kid": "k1"})],
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
    send_params = t.MessageSendParams(
        message=message(context_id="ctx-1"),
        configuration=t.MessageSendConfiguration(
            accepted_output_modes=["text/plain"],
            blocking=True,
            history_length=5,
            push_notification_config=push_config(),
        ),
        metadata={"source": "test"},
    )
    task_push_config = t.TaskPushNotificationConfig(task_id="task-1", push_notification_config=push_config())
    values = {
        "task": task,
        "message": message(context_id="ctx-1"),
        "status_update": t.TaskStatusUpdateEvent(
            task_id="task-1",
            context_id="ctx-1",
            status=t.TaskStatus(state=t.TaskState.completed, timestamp="2025-07-01T10:20:31Z"),
            final=True,
            metadata={"step": 3},
        ),
        "artifact_update": t.TaskArtifactUpdateEvent(
            task_id="task-1",
            context_id="ctx-1",
            artifact=t.Artifact(artifact_id="art-1", parts=[t.Part(root=t.TextPart(text="chunk"))]),
            append=True,
            last_chunk=True,
        ),
        "agent_card": card,
        "minimal_agent_card": minimal_card,
        "task_push_notification_config": task_push_config,
        "message_send_params": send_params,
        "task_query_params": t.TaskQueryParams(id="task-1", history_length=2),
        "task_id_params": t.TaskIdParams(id="task-1", metadata={"why": "done"}),
        "get_push_config_params": t.GetTaskPushNotificationConfigParams(
            id="task-1", push_notification_config_id="cfg-1"
        ),
        "list_push_config_params": t.ListTaskPushNotificationConfigParams(id="task-1"),
        "delete_push_config_params": t.DeleteTaskPushNotificationConfigParams(
            id="task-1", push_notification_config_id="cfg-1"
        ),
        "send_message_request": t.SendMessageRequest(id=1, params=send_params),
        "send_streaming_message_request": t.SendStreamingMessageRequest(id="s-1", params=send_params),
        "get_task_request": t.GetTaskRequest(id=2, params=t.TaskQueryParams(id="task-1")),
        "cancel_task_request": t.CancelTaskRequest(id=3, params=t.TaskIdParams(id="task-1")),
        "resubscribe_request": t.TaskResubscriptionRequest(id=4, params=t.TaskIdParams(id="task-1")),
        "set_push_config_request": t.SetTaskPushNotificationConfigRequest(id=5, params=task_push_config),
        "get_push_config_request": t.GetTaskPushNotificationConfigRequest(
            id=6, params=t.GetTaskPushNotificationConfigParams(id="task-1", push_notification_config_id="cfg-1")
        ),
        "list_push_config_request": t.ListTaskPushNotificationConfigRequest(
            id=7, params=t.ListTaskPushNotificationConfigParams(id="task-1")
        ),
        "delete_push_config_request": t.DeleteTaskPushNotificationConfigRequest(
            id=8, params=t.DeleteTaskPushNotificationConfigParams(id="task-1", push_notification_config_id="cfg-1")
        ),
        "extended_card_request": t.GetAuthenticatedExtendedCardRequest(id=9),
    }
    out = {name: dump(value) for name, value in values.items()}
    # The error objects of every v0.3 error class, with the SDK's default messages.
    error_classes = [
        t.JSONParseError, t.InvalidRequestError, t.MethodNotFoundError, t.InvalidParamsError,
        t.InternalError, t.TaskNotFoundError, t.TaskNotCancelableError,
        t.PushNotificationNotSupportedError, t.UnsupportedOperationError,
        t.ContentTypeNotSupportedError, t.InvalidAgentResponseError,
        t.AuthenticatedExtendedCardNotConfiguredError,
    ]
    out["errors"] = {cls.__name__: dump(cls()) for cls in error_classes}
    return out


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
            model = MODELS[name]
            out[name] = dump(model.model_validate(value))
        json.dump(out, sys.stdout)
    else:
        raise SystemExit(f"unknown command {sys.argv[1]!r}")


if __name__ == "__main__":
    main()
