//! The tower layer that puts an [`Authenticator`] in front of a binding.

use std::convert::Infallible;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use tower::{Layer, Service};

use super::{Authenticator, BoxFuture, Refusal};
use crate::Error;

/// Authenticates every request before the binding sees it; see the
/// [module docs](super).
#[derive(Clone, Debug)]
pub struct AuthLayer {
    authenticator: Authenticator,
    jsonrpc: bool,
}

impl AuthLayer {
    pub(super) fn new(authenticator: Authenticator, jsonrpc: bool) -> Self {
        Self {
            authenticator,
            jsonrpc,
        }
    }
}

impl<S> Layer<S> for AuthLayer {
    type Service = AuthService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthService {
            inner,
            authenticator: self.authenticator.clone(),
            jsonrpc: self.jsonrpc,
        }
    }
}

/// The service of an [`AuthLayer`].
#[derive(Clone, Debug)]
pub struct AuthService<S> {
    inner: S,
    authenticator: Authenticator,
    jsonrpc: bool,
}

impl<S> Service<Request<Body>> for AuthService<S>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response<Body>, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<Body>) -> Self::Future {
        // The clone that was made ready serves this request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let authenticator = self.authenticator.clone();
        let jsonrpc = self.jsonrpc;
        Box::pin(async move {
            let verdict = authenticator
                .authenticate(request.headers(), request.uri(), request.extensions())
                .await;
            match verdict {
                Ok(caller) => {
                    if let Some(caller) = caller {
                        request.extensions_mut().insert(caller);
                    }
                    inner.call(request).await
                }
                Err(refusal) => {
                    let grpc = is_grpc(&request);
                    Ok(refuse(&refusal, grpc, jsonrpc))
                }
            }
        })
    }
}

fn is_grpc<B>(request: &Request<B>) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/grpc"))
}

/// The refusal in the binding's shape.
fn refuse(refusal: &Refusal, grpc: bool, jsonrpc: bool) -> Response<Body> {
    let error = match refusal.forbidden {
        true => Error::permission_denied(refusal.reason.clone()),
        false => Error::unauthenticated(refusal.reason.clone()),
    };
    let mut response = if grpc {
        grpc_status(&error)
    } else if jsonrpc {
        crate::server::http::jsonrpc_refusal(&error)
    } else {
        crate::server::http::rest_refusal(&error)
    };
    if !refusal.forbidden && !grpc {
        *response.status_mut() = StatusCode::UNAUTHORIZED;
    }
    for challenge in &refusal.challenges {
        if let Ok(value) = HeaderValue::from_str(challenge) {
            response.headers_mut().append(header::WWW_AUTHENTICATE, value);
        }
    }
    response
}

/// A trailers-only gRPC answer: HTTP 200 with the status in the headers.
fn grpc_status(error: &Error) -> Response<Body> {
    let mut response = Response::new(Body::empty());
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
    headers.insert(
        "grpc-status",
        HeaderValue::from(error.kind().grpc_code().number()),
    );
    if let Ok(message) = HeaderValue::from_str(&percent_encode(error.message())) {
        headers.insert("grpc-message", message);
    }
    response
}

/// `grpc-message` is percent-encoded: printable ASCII but `%` as is.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if (0x20..0x7f).contains(&byte) && byte != b'%' {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
