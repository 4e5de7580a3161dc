//! The v0.3 JSON-RPC method names and the 1.0 operations they are.

use std::fmt;

use crate::jsonrpc;

/// Declares [`Method`] from one table: variant, v0.3 name, 1.0 method,
/// params type and result, for the docs.
macro_rules! methods {
    ($( $Name:ident = $wire:literal => $V1:ident, $params:literal, $result:literal; )+) => {
        /// The ten methods of the v0.3 JSON-RPC binding.
        ///
        /// Each is one 1.0 operation ([`to_v1`](Self::to_v1)); 1.0's
        /// `ListTasks` has no v0.3 method.
        ///
        /// ```
        /// use a2akit::{jsonrpc, v0_3::Method};
        ///
        /// let method: Method = "tasks/resubscribe".parse().unwrap();
        /// assert_eq!(method.to_v1(), jsonrpc::Method::SubscribeToTask);
        /// assert_eq!(Method::from_v1(jsonrpc::Method::SendMessage), Some(Method::MessageSend));
        /// assert_eq!(Method::from_v1(jsonrpc::Method::ListTasks), None);
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Method {
            $(
                #[doc = concat!("`", $wire, "`: params ", $params, ", result ", $result, ".")]
                $Name,
            )+
        }

        impl Method {
            /// Every method.
            pub const ALL: &'static [Method] = &[$(Self::$Name),+];

            /// The method name on the wire.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( Self::$Name => $wire, )+
                }
            }

            /// The 1.0 method of the same operation.
            pub const fn to_v1(self) -> jsonrpc::Method {
                match self {
                    $( Self::$Name => jsonrpc::Method::$V1, )+
                }
            }

            /// The v0.3 method of a 1.0 operation, if v0.3 has it.
            pub fn from_v1(method: jsonrpc::Method) -> Option<Self> {
                Self::ALL.iter().copied().find(|m| m.to_v1() == method)
            }

            /// The method with this wire name.
            pub fn from_wire(name: &str) -> Option<Self> {
                match name {
                    $( $wire => Some(Self::$Name), )+
                    _ => None,
                }
            }
        }
    };
}

methods! {
    MessageSend = "message/send" => SendMessage,
        "[`MessageSendParams`](super::MessageSendParams)", "[`SendMessageResult`](super::SendMessageResult)";
    MessageStream = "message/stream" => SendStreamingMessage,
        "[`MessageSendParams`](super::MessageSendParams)", "an SSE stream of [`StreamResponse`](super::StreamResponse)";
    TasksGet = "tasks/get" => GetTask,
        "[`TaskQueryParams`](super::TaskQueryParams)", "[`Task`](super::Task)";
    TasksCancel = "tasks/cancel" => CancelTask,
        "[`TaskIdParams`](super::TaskIdParams)", "[`Task`](super::Task)";
    TasksResubscribe = "tasks/resubscribe" => SubscribeToTask,
        "[`TaskIdParams`](super::TaskIdParams)", "an SSE stream of [`StreamResponse`](super::StreamResponse)";
    PushConfigSet = "tasks/pushNotificationConfig/set" => CreateTaskPushNotificationConfig,
        "[`TaskPushNotificationConfig`](super::TaskPushNotificationConfig)",
        "[`TaskPushNotificationConfig`](super::TaskPushNotificationConfig)";
    PushConfigGet = "tasks/pushNotificationConfig/get" => GetTaskPushNotificationConfig,
        "[`GetTaskPushNotificationConfigParams`](super::GetTaskPushNotificationConfigParams) (or [`TaskIdParams`](super::TaskIdParams))",
        "[`TaskPushNotificationConfig`](super::TaskPushNotificationConfig)";
    PushConfigList = "tasks/pushNotificationConfig/list" => ListTaskPushNotificationConfigs,
        "[`ListTaskPushNotificationConfigParams`](super::ListTaskPushNotificationConfigParams)",
        "an array of [`TaskPushNotificationConfig`](super::TaskPushNotificationConfig)";
    PushConfigDelete = "tasks/pushNotificationConfig/delete" => DeleteTaskPushNotificationConfig,
        "[`DeleteTaskPushNotificationConfigParams`](super::DeleteTaskPushNotificationConfigParams)", "`null`";
    GetAuthenticatedExtendedCard = "agent/getAuthenticatedExtendedCard" => GetExtendedAgentCard,
        "none", "[`AgentCard`](super::AgentCard)";
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Method {
    type Err = crate::Error;

    /// Parses a v0.3 method name; anything else is MethodNotFound.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::from_wire(name).ok_or_else(|| crate::Error::method_not_found(name))
    }
}
