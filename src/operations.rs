//! The protocol's eleven operations, listed once.
//!
//! `for_each_operation!` holds the table; whatever has one case per
//! operation and nothing to say about it beyond the table is generated from
//! it, in the style of tonic-build: `jsonrpc::Method` (with `ALL`,
//! `as_str`, parsing and `is_streaming`), the client's `Call` (with
//! `method` and the tenant accessors) and its unary methods, the JSON-RPC
//! dispatch, and the unary methods of the gRPC service and client.
//!
//! What an operation does beyond its table row stays written by hand
//! beside the generated code: the two streams on every binding (with
//! `SubscribeToTask`'s resume after a last event id), the HTTP+JSON routes,
//! which are shaped by paths, and the client's delete (which answers `()`)
//! and extended card call (which takes no request).
//!
//! Adding an operation means a row here, its `RequestHandler` method, its
//! HTTP+JSON route, and, for a stream, its hand-written function on each
//! binding (the compiler names each one that is missing).

/// Calls `$callback!` with the table of operations, one row per operation
/// in the order of the proto's `A2AService`.
///
/// A row reads
///
/// ```text
/// /// what the operation does (it follows "`SendMessage`: " in generated docs)
/// SendMessage = "SendMessage",
///     send_message(SendMessageRequest) -> unary SendMessageResponse, idempotent: false;
/// ```
///
/// - `SendMessage`: the variant of `Method` and `Call`, which is the rpc's
///   name in the proto;
/// - `"SendMessage"`: the JSON-RPC method;
/// - `send_message`: the operation's method on `RequestHandler`, `Client`,
///   the gRPC service and the generated gRPC client;
/// - `SendMessageRequest`: the request message, in `crate::types` and in
///   `crate::proto::v1`; every request message has a `tenant` field;
/// - `unary SendMessageResponse`: the response message (`Empty` for
///   `google.protobuf.Empty`), or `stream StreamResponse` for an operation
///   that answers with a stream of events;
/// - `idempotent`: whether sending the request twice does no more than
///   sending it once, which decides what the client's retry policy may
///   repeat (a test checks that `RetryPolicy::is_idempotent` agrees).
///
/// A callback is a `macro_rules!` macro that takes every row:
///
/// ```text
/// macro_rules! callback {
///     ($(
///         $(#[doc = $doc:literal])*
///         $Name:ident = $wire:literal,
///         $fn:ident($Request:ident) -> $kind:ident $Response:ident, idempotent: $idempotent:literal;
///     )*) => { ... };
/// }
/// for_each_operation!(callback);
/// ```
///
/// The names in a row are bare identifiers: a callback qualifies them
/// (`crate::types::$Request`). Where the code differs between a unary
/// operation and a stream, a callback matches `$kind` (`unary` or
/// `stream`) in a small helper macro of its own.
macro_rules! for_each_operation {
    ($callback:ident) => {
        $callback! {
            /// sends a message to the agent; the result is the task once it is finished
            /// or interrupted (at once with `returnImmediately`), or the agent's direct
            /// message.
            SendMessage = "SendMessage",
                send_message(SendMessageRequest) -> unary SendMessageResponse, idempotent: false;
            /// sends a message and streams the task (or a message), then the task's
            /// updates until it is finished or interrupted.
            SendStreamingMessage = "SendStreamingMessage",
                send_streaming_message(SendMessageRequest) -> stream StreamResponse, idempotent: false;
            /// one task, with as much of its history as asked for.
            GetTask = "GetTask",
                get_task(GetTaskRequest) -> unary Task, idempotent: true;
            /// one page of the caller's tasks, newest status first; follow
            /// `next_page_token` for more.
            ListTasks = "ListTasks",
                list_tasks(ListTasksRequest) -> unary ListTasksResponse, idempotent: true;
            /// asks the agent to stop a task; the result is the task as it is afterwards.
            CancelTask = "CancelTask",
                cancel_task(CancelTaskRequest) -> unary Task, idempotent: false;
            /// streams a task: the task now, then its updates until it finishes; resumed
            /// after a last event id, every event after it instead of the task.
            SubscribeToTask = "SubscribeToTask",
                subscribe_to_task(SubscribeToTaskRequest) -> stream StreamResponse, idempotent: true;
            /// registers a webhook for a task's updates; the result is the config as
            /// stored, with its id.
            CreateTaskPushNotificationConfig = "CreateTaskPushNotificationConfig",
                create_task_push_notification_config(TaskPushNotificationConfig)
                -> unary TaskPushNotificationConfig, idempotent: false;
            /// one of a task's push notification configs.
            GetTaskPushNotificationConfig = "GetTaskPushNotificationConfig",
                get_task_push_notification_config(GetTaskPushNotificationConfigRequest)
                -> unary TaskPushNotificationConfig, idempotent: true;
            /// one page of a task's push notification configs.
            ListTaskPushNotificationConfigs = "ListTaskPushNotificationConfigs",
                list_task_push_notification_configs(ListTaskPushNotificationConfigsRequest)
                -> unary ListTaskPushNotificationConfigsResponse, idempotent: true;
            /// removes one of a task's push notification configs.
            DeleteTaskPushNotificationConfig = "DeleteTaskPushNotificationConfig",
                delete_task_push_notification_config(DeleteTaskPushNotificationConfigRequest)
                -> unary Empty, idempotent: true;
            /// the agent's extended card, for an authenticated caller.
            GetExtendedAgentCard = "GetExtendedAgentCard",
                get_extended_agent_card(GetExtendedAgentCardRequest) -> unary AgentCard, idempotent: true;
        }
    };
}

pub(crate) use for_each_operation;

#[cfg(all(test, feature = "client"))]
mod tests {
    use crate::client::RetryPolicy;
    use crate::jsonrpc::Method;

    /// What the agent may act on twice if it is repeated: the sends, a cancel
    /// (the agent's cancel runs again) and a config without an id (a second
    /// one is minted). Everything else reads or converges.
    #[test]
    fn only_calls_that_act_are_not_repeated() {
        let acting: Vec<Method> = Method::ALL
            .iter()
            .copied()
            .filter(|method| !RetryPolicy::is_idempotent(*method))
            .collect();
        assert_eq!(
            acting,
            [
                Method::SendMessage,
                Method::SendStreamingMessage,
                Method::CancelTask,
                Method::CreateTaskPushNotificationConfig,
            ]
        );
    }
}
