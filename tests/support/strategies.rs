//! Proptest strategies for every wire type of `a2akit::types`, shared by the
//! JSON round trip (`roundtrip_schema`) and the protobuf round trip
//! (`proto_roundtrip`).
//!
//! The strategies that hold free-form JSON take a [`Numbers`] saying which
//! JSON numbers to put there, since a protobuf `Value` carries fewer of them
//! exactly than JSON text does.
// Each test crate that includes this file uses a part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;

use a2akit::types::{
    APIKeySecurityScheme, AgentCapabilities, AgentCard, AgentCardSignature, AgentExtension, AgentInterface,
    AgentProvider, AgentSkill, Artifact, AuthenticationInfo, AuthorizationCodeOAuthFlow, CancelTaskRequest,
    ClientCredentialsOAuthFlow, DeleteTaskPushNotificationConfigRequest, DeviceCodeOAuthFlow,
    GetExtendedAgentCardRequest, GetTaskPushNotificationConfigRequest, GetTaskRequest,
    HTTPAuthSecurityScheme, ImplicitOAuthFlow, ListTaskPushNotificationConfigsRequest,
    ListTaskPushNotificationConfigsResponse, ListTasksRequest, ListTasksResponse, Message,
    MutualTlsSecurityScheme, OAuth2SecurityScheme, OAuthFlows, OpenIdConnectSecurityScheme, Part,
    PartContent, PasswordOAuthFlow, Role, SecurityRequirement, SecurityScheme, SendMessageConfiguration,
    SendMessageRequest, SendMessageResponse, StreamResponse, StringList, Struct, SubscribeToTaskRequest,
    Task, TaskArtifactUpdateEvent, TaskPushNotificationConfig, TaskState, TaskStatus, TaskStatusUpdateEvent,
};
use chrono::{DateTime, Utc};
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use serde_json::Value;

// ---------------------------------------------------------------------------
// Strategies: scalars and free-form JSON
// ---------------------------------------------------------------------------

/// Short strings: empty, plain ASCII, any characters (control and non-ASCII
/// included) and a few awkward fixed ones.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => Just(String::new()),
        4 => "[a-zA-Z0-9_.:/+-]{1,12}",
        2 => "(?s).{1,6}",
        1 => prop::sample::select(&[
            "é",
            "日本語のテキスト",
            "🙂 emoji",
            "\"quoted\" \\ back",
            "line\nbreak\ttab",
            "\u{0}nul",
            "\u{feff}bom",
        ][..])
        .prop_map(str::to_owned),
    ]
}

pub fn texts() -> impl Strategy<Value = Vec<String>> {
    vec(text(), 0..3)
}

pub fn text_map() -> impl Strategy<Value = BTreeMap<String, String>> {
    btree_map(text(), text(), 0..3)
}

/// Which numbers the free-form JSON values (metadata, data parts, extension
/// params, signature headers) hold.
#[derive(Debug, Clone, Copy)]
pub enum Numbers {
    /// Every number JSON text carries exactly: any i64 and u64, and finite
    /// f64 of every kind.
    AnyJson,
    /// Only the numbers a `google.protobuf.Value` gives back as the very same
    /// JSON value. It holds a double, so an integer beyond ±2^53 would come
    /// back rounded, and an integral float within ±2^53 comes back as a JSON
    /// integer (`1.0` as `1`): both are left out.
    ProtoExact,
}

/// A JSON number of the given kind.
pub fn json_number(numbers: Numbers) -> BoxedStrategy<Value> {
    match numbers {
        Numbers::AnyJson => any_json_number().boxed(),
        Numbers::ProtoExact => proto_exact_number().boxed(),
    }
}

/// Numbers that survive JSON text: any i64 and u64, and finite f64 of every kind.
fn any_json_number() -> impl Strategy<Value = Value> {
    use prop::num::f64 as float;
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (float::POSITIVE | float::NEGATIVE | float::NORMAL | float::SUBNORMAL | float::ZERO)
            .prop_map(Value::from),
        prop::sample::select(&[0.5, -1.0, 0.1, 1e300, -0.0, 5e-324, f64::MAX, f64::MIN_POSITIVE][..])
            .prop_map(Value::from),
    ]
}

/// 2^53: every integer up to this magnitude is exactly a double.
const MAX_EXACT_INTEGER: i64 = 1 << 53;

/// Numbers a double carries back as the same JSON value: integers within
/// ±2^53, and finite floats that read back as floats (those that are not
/// integral, lie beyond ±2^53, or are `-0.0`).
fn proto_exact_number() -> impl Strategy<Value = Value> {
    use prop::num::f64 as float;
    let stays_a_float = |number: &f64| {
        number.fract() != 0.0
            || number.abs() > MAX_EXACT_INTEGER as f64
            || (*number == 0.0 && number.is_sign_negative())
    };
    prop_oneof![
        (-MAX_EXACT_INTEGER..=MAX_EXACT_INTEGER).prop_map(Value::from),
        prop::sample::select(&[-MAX_EXACT_INTEGER, MAX_EXACT_INTEGER, 0, -1][..]).prop_map(Value::from),
        (float::POSITIVE | float::NEGATIVE | float::NORMAL | float::SUBNORMAL | float::ZERO)
            .prop_filter(
                "an integral float within ±2^53 comes back as an integer",
                stays_a_float
            )
            .prop_map(Value::from),
        prop::sample::select(&[0.5, -1.5, 0.1, 1e300, -0.0, 5e-324, f64::MAX, f64::MIN_POSITIVE][..])
            .prop_map(Value::from),
    ]
}

/// Any JSON value, nested at most three levels deep.
pub fn json_value(numbers: Numbers) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        json_number(numbers),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..3).prop_map(Value::Array),
            btree_map(text(), inner, 0..3).prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// A `google.protobuf.Struct`: a small object of any JSON values.
pub fn structure(numbers: Numbers) -> impl Strategy<Value = Struct> {
    btree_map(text(), json_value(numbers), 0..4).prop_map(|map| map.into_iter().collect())
}

/// Optional metadata.
pub fn metadata(numbers: Numbers) -> impl Strategy<Value = Option<Struct>> {
    option::of(structure(numbers))
}

pub fn bytes() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..24)
}

/// Timestamps from 0001-01-01 to 9999-12-31 with whole seconds and
/// millisecond, microsecond and nanosecond precision.
pub fn timestamp() -> impl Strategy<Value = DateTime<Utc>> {
    const FIRST: i64 = -62_135_596_800; // 0001-01-01T00:00:00Z
    const LAST: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
    let seconds = prop_oneof![
        1 => prop::sample::select(&[FIRST, LAST, 0, 1_767_225_600][..]),
        6 => FIRST..=LAST,
    ];
    let nanos = prop_oneof![
        Just(0u32),
        (0..1_000u32).prop_map(|ms| ms * 1_000_000),
        (0..1_000_000u32).prop_map(|us| us * 1_000),
        0..1_000_000_000u32,
    ];
    (seconds, nanos).prop_map(|(seconds, nanos)| {
        DateTime::from_timestamp(seconds, nanos).expect("the range is within chrono's")
    })
}

// ---------------------------------------------------------------------------
// Strategies: tasks, messages, parts, artifacts, events
// ---------------------------------------------------------------------------

pub fn task_state() -> impl Strategy<Value = TaskState> {
    prop::sample::select(TaskState::ALL)
}

pub fn role() -> impl Strategy<Value = Role> {
    prop::sample::select(Role::ALL)
}

pub fn part_content(numbers: Numbers) -> impl Strategy<Value = PartContent> {
    prop_oneof![
        text().prop_map(PartContent::Text),
        bytes().prop_map(PartContent::Raw),
        text().prop_map(PartContent::Url),
        Just(PartContent::Data(Value::Null)),
        json_value(numbers).prop_map(PartContent::Data),
    ]
}

prop_compose! {
    pub fn part(numbers: Numbers)(
        content in part_content(numbers),
        metadata in metadata(numbers),
        filename in text(),
        media_type in text(),
    ) -> Part {
        Part { content, metadata, filename, media_type }
    }
}

prop_compose! {
    pub fn message(numbers: Numbers)(
        message_id in text(),
        context_id in text(),
        task_id in text(),
        role in role(),
        parts in vec(part(numbers), 0..3),
        metadata in metadata(numbers),
        extensions in texts(),
        reference_task_ids in texts(),
    ) -> Message {
        Message {
            message_id,
            context_id,
            task_id,
            role,
            parts,
            metadata,
            extensions,
            reference_task_ids,
        }
    }
}

prop_compose! {
    pub fn task_status(numbers: Numbers)(
        state in task_state(),
        message in option::of(message(numbers)),
        timestamp in option::of(timestamp()),
    ) -> TaskStatus {
        TaskStatus { state, message, timestamp }
    }
}

prop_compose! {
    pub fn artifact(numbers: Numbers)(
        artifact_id in text(),
        name in text(),
        description in text(),
        parts in vec(part(numbers), 0..3),
        metadata in metadata(numbers),
        extensions in texts(),
    ) -> Artifact {
        Artifact { artifact_id, name, description, parts, metadata, extensions }
    }
}

prop_compose! {
    pub fn task(numbers: Numbers)(
        id in text(),
        context_id in text(),
        status in task_status(numbers),
        artifacts in vec(artifact(numbers), 0..3),
        history in vec(message(numbers), 0..3),
        metadata in metadata(numbers),
    ) -> Task {
        Task { id, context_id, status, artifacts, history, metadata }
    }
}

prop_compose! {
    pub fn status_update(numbers: Numbers)(
        task_id in text(),
        context_id in text(),
        status in task_status(numbers),
        metadata in metadata(numbers),
    ) -> TaskStatusUpdateEvent {
        TaskStatusUpdateEvent { task_id, context_id, status, metadata }
    }
}

prop_compose! {
    pub fn artifact_update(numbers: Numbers)(
        task_id in text(),
        context_id in text(),
        artifact in artifact(numbers),
        append in any::<bool>(),
        last_chunk in any::<bool>(),
        metadata in metadata(numbers),
    ) -> TaskArtifactUpdateEvent {
        TaskArtifactUpdateEvent { task_id, context_id, artifact, append, last_chunk, metadata }
    }
}

pub fn stream_response(numbers: Numbers) -> impl Strategy<Value = StreamResponse> {
    prop_oneof![
        task(numbers).prop_map(StreamResponse::Task),
        message(numbers).prop_map(StreamResponse::Message),
        status_update(numbers).prop_map(StreamResponse::StatusUpdate),
        artifact_update(numbers).prop_map(StreamResponse::ArtifactUpdate),
    ]
}

// ---------------------------------------------------------------------------
// Strategies: push notification configs, requests and responses
// ---------------------------------------------------------------------------

prop_compose! {
    pub fn authentication_info()(scheme in text(), credentials in text()) -> AuthenticationInfo {
        AuthenticationInfo { scheme, credentials }
    }
}

prop_compose! {
    pub fn push_config()(
        tenant in text(),
        id in text(),
        task_id in text(),
        url in text(),
        token in text(),
        authentication in option::of(authentication_info()),
    ) -> TaskPushNotificationConfig {
        TaskPushNotificationConfig { tenant, id, task_id, url, token, authentication }
    }
}

prop_compose! {
    pub fn send_message_configuration()(
        accepted_output_modes in texts(),
        task_push_notification_config in option::of(push_config()),
        history_length in option::of(any::<i32>()),
        return_immediately in any::<bool>(),
    ) -> SendMessageConfiguration {
        SendMessageConfiguration {
            accepted_output_modes,
            task_push_notification_config,
            history_length,
            return_immediately,
        }
    }
}

prop_compose! {
    pub fn send_message_request(numbers: Numbers)(
        tenant in text(),
        message in message(numbers),
        configuration in option::of(send_message_configuration()),
        metadata in metadata(numbers),
    ) -> SendMessageRequest {
        SendMessageRequest { tenant, message, configuration, metadata }
    }
}

pub fn send_message_response(numbers: Numbers) -> impl Strategy<Value = SendMessageResponse> {
    prop_oneof![
        task(numbers).prop_map(SendMessageResponse::Task),
        message(numbers).prop_map(SendMessageResponse::Message),
    ]
}

prop_compose! {
    pub fn get_task_request()(
        tenant in text(),
        id in text(),
        history_length in option::of(any::<i32>()),
    ) -> GetTaskRequest {
        GetTaskRequest { tenant, id, history_length }
    }
}

prop_compose! {
    pub fn list_tasks_request()(
        tenant in text(),
        context_id in text(),
        status in option::of(task_state()),
        page_size in option::of(any::<i32>()),
        page_token in text(),
        history_length in option::of(any::<i32>()),
        status_timestamp_after in option::of(timestamp()),
        include_artifacts in option::of(any::<bool>()),
    ) -> ListTasksRequest {
        ListTasksRequest {
            tenant,
            context_id,
            status,
            page_size,
            page_token,
            history_length,
            status_timestamp_after,
            include_artifacts,
        }
    }
}

prop_compose! {
    pub fn list_tasks_response(numbers: Numbers)(
        tasks in vec(task(numbers), 0..3),
        next_page_token in text(),
        page_size in any::<i32>(),
        total_size in any::<i32>(),
    ) -> ListTasksResponse {
        ListTasksResponse { tasks, next_page_token, page_size, total_size }
    }
}

prop_compose! {
    pub fn cancel_task_request(numbers: Numbers)(
        tenant in text(),
        id in text(),
        metadata in metadata(numbers),
    ) -> CancelTaskRequest {
        CancelTaskRequest { tenant, id, metadata }
    }
}

prop_compose! {
    pub fn subscribe_to_task_request()(tenant in text(), id in text()) -> SubscribeToTaskRequest {
        SubscribeToTaskRequest { tenant, id }
    }
}

prop_compose! {
    pub fn get_push_config_request()(
        tenant in text(),
        task_id in text(),
        id in text(),
    ) -> GetTaskPushNotificationConfigRequest {
        GetTaskPushNotificationConfigRequest { tenant, task_id, id }
    }
}

prop_compose! {
    pub fn delete_push_config_request()(
        tenant in text(),
        task_id in text(),
        id in text(),
    ) -> DeleteTaskPushNotificationConfigRequest {
        DeleteTaskPushNotificationConfigRequest { tenant, task_id, id }
    }
}

prop_compose! {
    pub fn list_push_configs_request()(
        tenant in text(),
        task_id in text(),
        page_size in any::<i32>(),
        page_token in text(),
    ) -> ListTaskPushNotificationConfigsRequest {
        ListTaskPushNotificationConfigsRequest { tenant, task_id, page_size, page_token }
    }
}

prop_compose! {
    pub fn list_push_configs_response()(
        configs in vec(push_config(), 0..3),
        next_page_token in text(),
    ) -> ListTaskPushNotificationConfigsResponse {
        ListTaskPushNotificationConfigsResponse { configs, next_page_token }
    }
}

prop_compose! {
    pub fn get_extended_agent_card_request()(tenant in text()) -> GetExtendedAgentCardRequest {
        GetExtendedAgentCardRequest { tenant }
    }
}

// ---------------------------------------------------------------------------
// Strategies: security schemes and OAuth flows
// ---------------------------------------------------------------------------

pub fn string_list() -> impl Strategy<Value = StringList> {
    texts().prop_map(|list| StringList { list })
}

pub fn security_requirement() -> impl Strategy<Value = SecurityRequirement> {
    btree_map(text(), string_list(), 0..3).prop_map(|schemes| SecurityRequirement { schemes })
}

prop_compose! {
    pub fn api_key_scheme()(
        description in text(),
        location in text(),
        name in text(),
    ) -> APIKeySecurityScheme {
        APIKeySecurityScheme { description, location, name }
    }
}

prop_compose! {
    pub fn http_auth_scheme()(
        description in text(),
        scheme in text(),
        bearer_format in text(),
    ) -> HTTPAuthSecurityScheme {
        HTTPAuthSecurityScheme { description, scheme, bearer_format }
    }
}

prop_compose! {
    pub fn authorization_code_flow()(
        authorization_url in text(),
        token_url in text(),
        refresh_url in text(),
        scopes in text_map(),
        pkce_required in any::<bool>(),
    ) -> AuthorizationCodeOAuthFlow {
        AuthorizationCodeOAuthFlow {
            authorization_url,
            token_url,
            refresh_url,
            scopes,
            pkce_required,
        }
    }
}

prop_compose! {
    pub fn client_credentials_flow()(
        token_url in text(),
        refresh_url in text(),
        scopes in text_map(),
    ) -> ClientCredentialsOAuthFlow {
        ClientCredentialsOAuthFlow { token_url, refresh_url, scopes }
    }
}

prop_compose! {
    pub fn implicit_flow()(
        authorization_url in text(),
        refresh_url in text(),
        scopes in text_map(),
    ) -> ImplicitOAuthFlow {
        ImplicitOAuthFlow { authorization_url, refresh_url, scopes }
    }
}

prop_compose! {
    pub fn password_flow()(
        token_url in text(),
        refresh_url in text(),
        scopes in text_map(),
    ) -> PasswordOAuthFlow {
        PasswordOAuthFlow { token_url, refresh_url, scopes }
    }
}

prop_compose! {
    pub fn device_code_flow()(
        device_authorization_url in text(),
        token_url in text(),
        refresh_url in text(),
        scopes in text_map(),
    ) -> DeviceCodeOAuthFlow {
        DeviceCodeOAuthFlow { device_authorization_url, token_url, refresh_url, scopes }
    }
}

pub fn oauth_flows() -> impl Strategy<Value = OAuthFlows> {
    prop_oneof![
        authorization_code_flow().prop_map(OAuthFlows::AuthorizationCode),
        client_credentials_flow().prop_map(OAuthFlows::ClientCredentials),
        implicit_flow().prop_map(OAuthFlows::Implicit),
        password_flow().prop_map(OAuthFlows::Password),
        device_code_flow().prop_map(OAuthFlows::DeviceCode),
    ]
}

prop_compose! {
    pub fn oauth2_scheme()(
        description in text(),
        flows in oauth_flows(),
        oauth2_metadata_url in text(),
    ) -> OAuth2SecurityScheme {
        OAuth2SecurityScheme { description, flows, oauth2_metadata_url }
    }
}

prop_compose! {
    pub fn open_id_connect_scheme()(
        description in text(),
        open_id_connect_url in text(),
    ) -> OpenIdConnectSecurityScheme {
        OpenIdConnectSecurityScheme { description, open_id_connect_url }
    }
}

pub fn mutual_tls_scheme() -> impl Strategy<Value = MutualTlsSecurityScheme> {
    text().prop_map(|description| MutualTlsSecurityScheme { description })
}

pub fn security_scheme() -> impl Strategy<Value = SecurityScheme> {
    prop_oneof![
        api_key_scheme().prop_map(SecurityScheme::ApiKey),
        http_auth_scheme().prop_map(SecurityScheme::HttpAuth),
        oauth2_scheme().prop_map(SecurityScheme::OAuth2),
        open_id_connect_scheme().prop_map(SecurityScheme::OpenIdConnect),
        mutual_tls_scheme().prop_map(SecurityScheme::MutualTls),
    ]
}

// ---------------------------------------------------------------------------
// Strategies: the agent card
// ---------------------------------------------------------------------------

prop_compose! {
    pub fn agent_interface()(
        url in text(),
        protocol_binding in text(),
        tenant in text(),
        protocol_version in text(),
    ) -> AgentInterface {
        AgentInterface { url, protocol_binding, tenant, protocol_version }
    }
}

prop_compose! {
    pub fn agent_provider()(url in text(), organization in text()) -> AgentProvider {
        AgentProvider { url, organization }
    }
}

prop_compose! {
    pub fn agent_extension(numbers: Numbers)(
        uri in text(),
        description in text(),
        required in any::<bool>(),
        params in metadata(numbers),
    ) -> AgentExtension {
        AgentExtension { uri, description, required, params }
    }
}

prop_compose! {
    pub fn agent_capabilities(numbers: Numbers)(
        streaming in option::of(any::<bool>()),
        push_notifications in option::of(any::<bool>()),
        extensions in vec(agent_extension(numbers), 0..3),
        extended_agent_card in option::of(any::<bool>()),
    ) -> AgentCapabilities {
        AgentCapabilities { streaming, push_notifications, extensions, extended_agent_card }
    }
}

prop_compose! {
    pub fn agent_skill()(
        id in text(),
        name in text(),
        description in text(),
        tags in texts(),
        examples in texts(),
        input_modes in texts(),
        output_modes in texts(),
        security_requirements in vec(security_requirement(), 0..2),
    ) -> AgentSkill {
        AgentSkill {
            id,
            name,
            description,
            tags,
            examples,
            input_modes,
            output_modes,
            security_requirements,
        }
    }
}

prop_compose! {
    pub fn agent_card_signature(numbers: Numbers)(
        protected in text(),
        signature in text(),
        header in metadata(numbers),
    ) -> AgentCardSignature {
        AgentCardSignature { protected, signature, header }
    }
}

prop_compose! {
    pub fn agent_card(numbers: Numbers)(
        (name, description, version) in (text(), text(), text()),
        supported_interfaces in vec(agent_interface(), 0..3),
        provider in option::of(agent_provider()),
        (documentation_url, icon_url) in (option::of(text()), option::of(text())),
        capabilities in agent_capabilities(numbers),
        security_schemes in btree_map(text(), security_scheme(), 0..3),
        security_requirements in vec(security_requirement(), 0..2),
        (default_input_modes, default_output_modes) in (texts(), texts()),
        skills in vec(agent_skill(), 0..3),
        signatures in vec(agent_card_signature(numbers), 0..2),
    ) -> AgentCard {
        AgentCard {
            name,
            description,
            supported_interfaces,
            provider,
            version,
            documentation_url,
            capabilities,
            security_schemes,
            security_requirements,
            default_input_modes,
            default_output_modes,
            skills,
            signatures,
            icon_url,
        }
    }
}
