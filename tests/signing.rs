//! Signed agent cards: our signatures checked by independent JOSE and
//! RFC 8785 implementations (Python's jwcrypto and `rfc8785`, and the
//! official SDK's own signing module) and theirs checked by us, for every
//! algorithm; tampering caught, reformatting not; keys fetched from a
//! trusted `jku`; and a client factory that refuses a card without a valid
//! signature before making any call.
#![cfg(all(feature = "signing", feature = "client", feature = "server"))]

mod support;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use a2akit::client::ClientFactory;
use a2akit::server::RequestHandler;
use a2akit::server::http::Routes;
use a2akit::signing::{
    Algorithm, CardSigner, CardVerifier, KeySet, SignatureError, SignatureErrorKind, VerifyingKey,
    canonical_card, verify_card,
};
use a2akit::types::{
    AgentCard, AgentCardSignature, AgentExtension, AgentSkill, HTTPAuthSecurityScheme, SecurityScheme,
    SendMessageResponse, Struct, binding, json,
};
use a2akit::{Error, ErrorKind};
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

/// The algorithms every interop test covers: both ECDSA curves, Ed25519,
/// and RSA with either padding.
const ALGORITHMS: [Algorithm; 5] = [
    Algorithm::Es256,
    Algorithm::Es384,
    Algorithm::EdDsa,
    Algorithm::Rs256,
    Algorithm::Ps256,
];

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/card_signing.py")
}

/// Runs one command of the Python script on `request`, and reads its answer.
fn python(interpreter: &Path, command: &str, request: &Value) -> Value {
    let mut child = Command::new(interpreter)
        .arg(script())
        .arg(command)
        .env("PYTHONIOENCODING", "utf-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the Python interpreter starts");
    child
        .stdin
        .take()
        .expect("a stdin")
        .write_all(request.to_string().as_bytes())
        .expect("Python reads the request");
    let out = child.wait_with_output().expect("Python finishes");
    assert!(
        out.status.success(),
        "python {command} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("Python answers JSON")
}

/// A signer for `alg` under `kid`: a key made by ring, or by Python for RSA
/// (ring makes no RSA keys), read from PKCS#8 PEM.
fn signer(interpreter: Option<&Path>, alg: Algorithm, kid: &str) -> CardSigner {
    match CardSigner::generate_pkcs8(alg) {
        Ok(pkcs8) => CardSigner::from_pkcs8_der(alg, kid, &pkcs8).expect("a fresh key loads"),
        Err(_) => {
            let interpreter = interpreter.expect("RSA keys come from Python");
            let key = python(interpreter, "keygen", &json!({"alg": alg.name()}));
            CardSigner::from_pem(alg, kid, key["private_pem"].as_str().unwrap()).expect("the PEM key loads")
        }
    }
}

fn ring_signer(alg: Algorithm, kid: &str) -> CardSigner {
    signer(None, alg, kid)
}

/// A card using most of what a card can hold, with text and numbers whose
/// canonical form is easy to get wrong: non-ASCII and astral characters,
/// characters that must or must not be escaped, member names that sort
/// differently by UTF-16 code unit than by code point, and numbers that
/// ECMAScript writes in exponent form, as integers, or shortest.
fn rich_card(base: &str) -> AgentCard {
    let params: Struct = serde_json::from_value(json!({
        "numbers": [1.0, 0.5, -0.0, 1e21, 1e20, 1e-7, 0.000001, 123456789.125, 9007199254740991_u64,
                    -9007199254740991_i64, 0.30000000000000004, 1e300, 5e-324, 2.5e-8, 100, 0.1],
        "text": "é ☂ 天気 😀 \u{7f} \" \\ / \n \t \u{1} \u{1f} </script> \u{2028}",
        "\u{fb01}": "ﬁ ligature",
        "\u{1f600}": "grinning",
        "Zebra": true,
        "apple": null,
        "nested": {"b": [{"y": 1, "x": 2}], "a": false}
    }))
    .unwrap();
    let mut extension = AgentExtension::new("https://example.org/ext/forecast-units").required(true);
    extension.description = "Units — metric or imperial".to_owned();
    extension.params = Some(params);
    AgentCard::builder()
        .name("Prévisions ☂")
        .description("Weather — 天気, \"quoted\" and <b>bold</b>")
        .version("2.1.0")
        .interface(format!("{base}/"), binding::JSONRPC)
        .interface(base, binding::HTTP_JSON)
        .provider("Example Org", "https://example.org")
        .documentation_url("https://example.org/docs?lang=fr&x=1")
        .icon_url("https://example.org/icon.png")
        .streaming(true)
        .push_notifications(false)
        .extension(extension)
        .security_scheme(
            "bearer",
            SecurityScheme::HttpAuth(HTTPAuthSecurityScheme::new("Bearer").with_bearer_format("JWT")),
        )
        .default_input_modes(["text/plain", "application/json"])
        .skill(
            AgentSkill::new("forecast", "Forecast", "Tomorrow's weather")
                .with_tags(["weather", "météo"])
                .with_examples(["Will it rain in Zürich?"]),
        )
        .skill(AgentSkill::new("alerts", "Alerts", "Storm warnings").with_tags(["storm"]))
        .build()
}

/// A server of our own on 127.0.0.1: the agent's routes for a card made
/// from the base URL, and any `extra` routes (key sets).
struct Served {
    base: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(card: impl FnOnce(&str) -> AgentCard, extra: axum::Router) -> Served {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let handler = RequestHandler::builder(card(&base), support::agents::WhoAmI).build();
    let app = Routes::new(handler).all("/").merge(extra);
    let task = tokio::spawn(async move {
        a2akit::server::serve(listener, app).await.expect("serve");
    });
    Served { base, task }
}

/// The card's bytes as our server serves them.
async fn served_card(base: &str) -> String {
    let response = reqwest::get(format!("{base}/.well-known/agent-card.json"))
        .await
        .expect("the card is served");
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

fn read_card(text: &str) -> AgentCard {
    json::from_str(text).expect("a card")
}

fn verified_kids(answer: &Value) -> Vec<String> {
    answer["verified"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|kid| kid.as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn our_signed_cards_as_served_verify_with_jwcrypto_and_rfc8785_for_every_algorithm() {
    let Some(interpreter) = support::python::interpreter() else {
        return;
    };
    for alg in ALGORITHMS {
        let kid = format!("ours-{alg}");
        let signer = signer(Some(&interpreter), alg, &kid);
        let mut signed = None;
        let server = serve(
            |base| {
                let card = signer.sign(rich_card(base)).expect("the card signs");
                signed = Some(card.clone());
                card
            },
            axum::Router::new(),
        )
        .await;
        let signed = signed.unwrap();
        let body = served_card(&server.base).await;

        // Served as signed: the signature itself untouched, and the card still verifying here.
        let read = read_card(&body);
        assert_eq!(read.signatures, signed.signatures, "{alg}");
        let verified = verify_card(&read, &KeySet::from(signer.verifying_key())).expect("verifies here");
        assert_eq!((verified.kid.as_str(), verified.algorithm), (kid.as_str(), alg));

        let answer = python(
            &interpreter,
            "verify",
            &json!({"card": body, "jwks": signer.jwks()}),
        );
        assert_eq!(verified_kids(&answer), vec![kid.as_str()], "{alg}: {answer}");
        // The payload both sides sign is the same, byte for byte.
        let ours = String::from_utf8(canonical_card(&read).unwrap()).unwrap();
        assert_eq!(answer["canonical"].as_str().unwrap(), ours, "{alg}");

        // The protected header is the one the specification describes.
        let header: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&read.signatures[0].protected).unwrap()).unwrap();
        assert_eq!(header, json!({"alg": alg.name(), "typ": "JOSE", "kid": kid}));
    }
}

#[tokio::test]
async fn cards_signed_by_jwcrypto_verify_here_and_through_the_client_factory() {
    let Some(interpreter) = support::python::interpreter() else {
        return;
    };
    for alg in ALGORITHMS {
        let kid = format!("theirs-{alg}");
        let unsigned = serde_json::to_string(&rich_card("http://127.0.0.1:1")).unwrap();
        let answer = python(
            &interpreter,
            "sign",
            &json!({"card": unsigned, "alg": alg.name(), "kid": kid}),
        );
        let signed = read_card(answer["card"].as_str().unwrap());
        let keys = KeySet::from_jwks(answer["jwks"].to_string().as_bytes()).expect("their key set reads");
        let verified = verify_card(&signed, &keys).expect("their signature verifies here");
        assert_eq!((verified.kid.as_str(), verified.algorithm), (kid.as_str(), alg));

        // Served by our server and resolved by a client that requires a valid signature.
        let served = signed.clone();
        let server = serve(move |_| served, axum::Router::new()).await;
        let factory = ClientFactory::new().require_signed_card(keys);
        let resolved = factory
            .resolve_card(&server.base)
            .await
            .expect("the signed card is accepted");
        assert_eq!(resolved, signed, "{alg}");
    }
}

#[test]
fn keys_in_pem_from_another_library_sign_and_verify_here() {
    let Some(interpreter) = support::python::interpreter() else {
        return;
    };
    for alg in ALGORITHMS {
        let key = python(&interpreter, "keygen", &json!({"alg": alg.name(), "kid": "pem"}));
        let signer =
            CardSigner::from_pem(alg, "pem", key["private_pem"].as_str().unwrap()).expect("PKCS#8 reads");
        let public = VerifyingKey::from_public_key_pem("pem", key["public_pem"].as_str().unwrap())
            .expect("SubjectPublicKeyInfo reads");
        assert_eq!(public.to_jwk().kty, signer.public_jwk().kty);
        let card = signer.sign(rich_card("https://agent.example")).unwrap();
        verify_card(&card, &KeySet::from(public)).expect("the PEM public key verifies");
        // And the public JWK we derive from the private key is the one Python derives.
        let answer = python(
            &interpreter,
            "verify",
            &json!({"card": serde_json::to_string(&card).unwrap(), "jwks": {"keys": [key["public_jwk"]]}}),
        );
        assert_eq!(verified_kids(&answer), ["pem"], "{alg}: {answer}");
    }
}

#[test]
fn the_official_sdk_verifies_our_cards_and_we_verify_its() {
    let Some(interpreter) = support::python::interpreter() else {
        return;
    };
    // That SDK signs a form of the card that also drops empty strings,
    // lists and objects and nulls, where the specification keeps required
    // fields and free-form values as they are: the cards exchanged here
    // have none, as most cards.
    let card_without_empty_values = || {
        let mut card = rich_card("https://agent.example");
        let params = card.capabilities.extensions[0].params.as_mut().unwrap();
        params.remove("apple").expect("the card's one null");
        card
    };
    for alg in [Algorithm::Es256, Algorithm::EdDsa, Algorithm::Rs256] {
        let signer = signer(Some(&interpreter), alg, "ours");
        let card = signer.sign(card_without_empty_values()).unwrap();
        let text = serde_json::to_string(&card).unwrap();
        let answer = python(
            &interpreter,
            "sdk-verify",
            &json!({"card": text, "jwks": signer.jwks(), "algs": [alg.name()]}),
        );
        assert_eq!(answer["ok"], true, "{alg}: {answer}");
        let mut tampered = card.clone();
        tampered.version = "9.9.9".to_owned();
        let answer = python(
            &interpreter,
            "sdk-verify",
            &json!({"card": serde_json::to_string(&tampered).unwrap(), "jwks": signer.jwks(), "algs": [alg.name()]}),
        );
        assert_eq!(
            answer["ok"], false,
            "{alg}: a tampered card passed the official verifier"
        );

        let unsigned = serde_json::to_string(&card_without_empty_values()).unwrap();
        let answer = python(
            &interpreter,
            "sdk-sign",
            &json!({"card": unsigned, "alg": alg.name(), "kid": "theirs"}),
        );
        let signed = read_card(answer["card"].as_str().unwrap());
        let keys = KeySet::from_jwks(answer["jwks"].to_string().as_bytes()).unwrap();
        assert_eq!(
            verify_card(&signed, &keys)
                .expect("the SDK's signature verifies")
                .kid,
            "theirs"
        );
    }
}

/// `value` as indented JSON text with every object's members in reverse
/// order and every non-ASCII character written as `\u` escapes.
fn reformatted(value: &Value, indent: usize, out: &mut String) {
    let pad = |depth: usize| format!("\n{}", "  ".repeat(depth));
    match value {
        Value::Object(members) => {
            out.push('{');
            for (i, (key, member)) in members.iter().rev().enumerate() {
                out.push_str(if i == 0 { "" } else { "," });
                out.push_str(&pad(indent + 1));
                out.push_str(&ascii_escaped(&Value::from(key.as_str()).to_string()));
                out.push_str(" : ");
                reformatted(member, indent + 1, out);
            }
            out.push_str(&pad(indent));
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                out.push_str(if i == 0 { " " } else { ", " });
                reformatted(item, indent + 1, out);
            }
            out.push_str(" ]");
        }
        other => out.push_str(&ascii_escaped(&other.to_string())),
    }
}

/// JSON text with every non-ASCII character written as `\u` escapes.
fn ascii_escaped(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// What is changed, and how.
type Change = (&'static str, fn(&mut Value));

#[test]
fn reformatting_a_signed_card_keeps_it_valid_and_changing_it_does_not() {
    let Some(interpreter) = support::python::interpreter() else {
        return;
    };
    let signer = ring_signer(Algorithm::Es256, "k1");
    let card = signer.sign(rich_card("https://agent.example")).unwrap();
    let keys = KeySet::from(signer.verifying_key());
    let value = serde_json::to_value(&card).unwrap();

    // Other member order, indentation and escapes: the same card.
    let mut text = String::new();
    reformatted(&value, 0, &mut text);
    // Not the canonical form: that starts with `capabilities` and has no escapes.
    assert!(
        text.contains("\\u00e9") && !text.starts_with("{\n  \"capabilities\""),
        "{text}"
    );
    verify_card(&read_card(&text), &keys).expect("a reformatted card verifies here");
    let answer = python(
        &interpreter,
        "verify",
        &json!({"card": text, "jwks": signer.jwks()}),
    );
    assert_eq!(verified_kids(&answer), ["k1"], "{answer}");

    // Changed: a skill, a value, a capability, a number deep in the params.
    let changes: [Change; 5] = [
        ("a skill's description", |card| {
            card["skills"][0]["description"] = json!("Pays anyone anything")
        }),
        ("an added skill", |card| {
            card["skills"].as_array_mut().unwrap().push(json!({
                "id": "pay", "name": "Pay", "description": "Pays", "tags": ["money"]
            }))
        }),
        ("the version", |card| card["version"] = json!("2.1.1")),
        ("a capability", |card| {
            card["capabilities"]["streaming"] = json!(false)
        }),
        ("a number in the params", |card| {
            card["capabilities"]["extensions"][0]["params"]["numbers"][1] = json!(0.25)
        }),
    ];
    for (what, change) in changes {
        let mut changed = value.clone();
        change(&mut changed);
        let text = changed.to_string();
        let err = verify_card(&read_card(&text), &keys).expect_err(what);
        assert_eq!(err.kind(), SignatureErrorKind::Tampered, "{what}: {err}");
        assert!(err.message().contains("changed after it was signed"), "{err}");
        let answer = python(
            &interpreter,
            "verify",
            &json!({"card": text, "jwks": signer.jwks()}),
        );
        assert!(
            verified_kids(&answer).is_empty(),
            "{what} passed in Python: {answer}"
        );
    }
}

/// A signature with this protected header and signature bytes.
fn forged(header: Value, signature: &[u8]) -> AgentCardSignature {
    AgentCardSignature {
        protected: URL_SAFE_NO_PAD.encode(header.to_string()),
        signature: URL_SAFE_NO_PAD.encode(signature),
        header: None,
    }
}

fn refused(card: &AgentCard, keys: &KeySet) -> SignatureError {
    verify_card(card, keys).expect_err("refused")
}

#[test]
fn refused_signatures_say_why() {
    let signer = ring_signer(Algorithm::Es256, "k1");
    let keys = KeySet::from(signer.verifying_key());
    let unsigned = rich_card("https://agent.example");
    let card = signer.sign(unsigned.clone()).unwrap();
    verify_card(&card, &keys).expect("the signed card verifies");

    let err = refused(&unsigned, &keys);
    assert_eq!(err.kind(), SignatureErrorKind::Unsigned, "{err}");

    // A key we do not trust, under another kid or the same one.
    let other = ring_signer(Algorithm::Es256, "k2");
    let err = refused(&other.sign(unsigned.clone()).unwrap(), &keys);
    assert_eq!(err.kind(), SignatureErrorKind::UnknownKey, "{err}");
    assert!(err.message().contains("\"k2\""), "{err}");
    let impostor = ring_signer(Algorithm::Es256, "k1");
    let err = refused(&impostor.sign(unsigned.clone()).unwrap(), &keys);
    assert_eq!(err.kind(), SignatureErrorKind::Tampered, "{err}");

    // `alg: none`, and HMAC keyed with the public key (the classic confusion).
    let mut none = unsigned.clone();
    none.signatures
        .push(forged(json!({"alg": "none", "kid": "k1"}), b""));
    let err = refused(&none, &keys);
    assert_eq!(err.kind(), SignatureErrorKind::UnsupportedAlgorithm, "{err}");
    let public_x = URL_SAFE_NO_PAD.decode(signer.public_jwk().x.unwrap()).unwrap();
    let header = json!({"alg": "HS256", "typ": "JOSE", "kid": "k1"});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(canonical_card(&unsigned).unwrap())
    );
    let mac = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &public_x),
        input.as_bytes(),
    );
    let mut hmac = unsigned.clone();
    hmac.signatures.push(forged(header, mac.as_ref()));
    let err = refused(&hmac, &keys);
    assert_eq!(err.kind(), SignatureErrorKind::UnsupportedAlgorithm, "{err}");
    assert!(err.message().contains("HS256"), "{err}");

    // Headers that cannot be trusted to mean what they say.
    for (header, kind) in [
        (
            json!({"alg": "ES256", "kid": "k1", "crit": ["exp"], "exp": 1}),
            SignatureErrorKind::Malformed,
        ),
        (json!({"alg": "ES256"}), SignatureErrorKind::Malformed),
        (json!(["ES256"]), SignatureErrorKind::Malformed),
        (
            json!({"alg": "EdDSA", "kid": "k1"}),
            SignatureErrorKind::InvalidKey,
        ),
    ] {
        let mut card = unsigned.clone();
        card.signatures.push(forged(header.clone(), &[0; 64]));
        let err = refused(&card, &keys);
        assert_eq!(err.kind(), kind, "{header}: {err}");
    }
    let mut garbled = unsigned.clone();
    garbled.signatures.push(AgentCardSignature {
        protected: "not base64url!".into(),
        signature: "AA".into(),
        header: None,
    });
    assert_eq!(refused(&garbled, &keys).kind(), SignatureErrorKind::Malformed);

    // One good signature among bad ones suffices; with none, the most telling reason wins.
    let mut several = other.sign(unsigned.clone()).unwrap();
    several.signatures.extend(card.signatures.clone());
    let verified = verify_card(&several, &keys).expect("the second signature verifies");
    assert_eq!((verified.index, verified.kid.as_str()), (1, "k1"));
    let mut tampered = several.clone();
    tampered.name = "Someone else".to_owned();
    let err = refused(&tampered, &keys);
    assert_eq!(err.kind(), SignatureErrorKind::Tampered, "{err}");
    assert!(
        err.message().contains("signature 1:") && err.message().contains("signature 2:"),
        "{err}"
    );

    // A flood of signatures is not examined to the end.
    let mut flood = unsigned.clone();
    for _ in 0..a2akit::signing::MAX_SIGNATURES + 4 {
        flood
            .signatures
            .push(forged(json!({"alg": "ES256", "kid": "nobody"}), &[0; 64]));
    }
    flood.signatures.extend(card.signatures.clone());
    let err = refused(&flood, &keys);
    assert!(
        err.message().contains("5 more signatures were not examined"),
        "{err}"
    );
}

#[test]
fn signing_again_replaces_the_keys_own_signature_and_keeps_others() {
    let first = ring_signer(Algorithm::EdDsa, "a");
    let second = ring_signer(Algorithm::Es256, "b");
    let card = second
        .sign(first.sign(rich_card("https://agent.example")).unwrap())
        .unwrap();
    assert_eq!(card.signatures.len(), 2);
    let mut changed = card.clone();
    changed.description = "New description".to_owned();
    let resigned = first.sign(changed).unwrap();
    assert_eq!(resigned.signatures.len(), 2);
    assert_eq!(
        resigned.signatures[0], card.signatures[1],
        "the other key's signature is kept"
    );
    let keys = KeySet::new()
        .with(first.verifying_key())
        .with(second.verifying_key());
    let verified = verify_card(&resigned, &keys).expect("the new signature verifies");
    assert_eq!((verified.index, verified.kid.as_str()), (1, "a"));
}

#[test]
fn the_specifications_example_card_has_the_canonical_form_it_shows() {
    let card = read_card(
        r#"{"name": "Example Agent", "description": "", "capabilities": {"streaming": false,
            "pushNotifications": false, "extensions": []}, "skills": []}"#,
    );
    // Our card always has its required lists; the specification's fragment
    // lacks some, so only the members it has are compared.
    let canonical: Value = serde_json::from_slice(&canonical_card(&card).unwrap()).unwrap();
    assert_eq!(
        canonical["capabilities"],
        json!({"pushNotifications": false, "streaming": false})
    );
    assert_eq!(canonical["description"], "");
    assert_eq!(canonical["skills"], json!([]));
    let text = String::from_utf8(canonical_card(&card).unwrap()).unwrap();
    assert!(
        text.starts_with(r#"{"capabilities":{"pushNotifications":false,"streaming":false},"#),
        "{text}"
    );
}

/// A key set server: `/keys/jwks.json` (counted), one too large, one that
/// redirects, and one outside the trusted location.
fn key_routes(jwks: Value, fetches: Arc<AtomicUsize>) -> axum::Router {
    let body = jwks.to_string();
    let elsewhere = body.clone();
    axum::Router::new()
        .route(
            "/keys/jwks.json",
            get(move || {
                fetches.fetch_add(1, Ordering::SeqCst);
                let body = body.clone();
                async move { ([("content-type", "application/jwk-set+json")], body) }
            }),
        )
        .route("/keys/huge.json", get(|| async { " ".repeat(2 << 20) }))
        .route(
            "/keys/moved.json",
            get(|| async { (axum::http::StatusCode::FOUND, [("location", "/keys/jwks.json")]) }),
        )
        .route("/other/jwks.json", get(move || async move { elsewhere }))
}

#[tokio::test]
async fn keys_at_a_trusted_jku_are_fetched_once_and_no_others_are() {
    let signer = ring_signer(Algorithm::Es256, "published");
    let fetches = Arc::new(AtomicUsize::new(0));
    let server = serve(
        |_| AgentCard::builder().name("keys").build(),
        key_routes(signer.jwks(), fetches.clone()),
    )
    .await;
    let base = server.base.clone();
    let card_with_jku = |path: &str| {
        signer
            .clone()
            .with_jku(format!("{base}{path}"))
            .sign(rich_card(&base))
            .unwrap()
    };
    let trusting = || {
        CardVerifier::new(KeySet::new())
            .trust_jku(&format!("{base}/keys/"))
            .allow_http_jku(true)
    };

    let verifier = trusting();
    let card = card_with_jku("/keys/jwks.json");
    for _ in 0..3 {
        let verified = verifier
            .verify(&card)
            .await
            .expect("verified with the fetched key");
        assert_eq!(
            verified.jku.as_deref(),
            Some(format!("{base}/keys/jwks.json").as_str())
        );
    }
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        1,
        "the key set is fetched once and kept"
    );
    verifier
        .verify_cached(&card)
        .expect("the kept key set verifies without a fetch");

    // A kid the set lacks: no new fetch so soon after the last.
    let stranger = ring_signer(Algorithm::Es256, "rotated-in")
        .with_jku(format!("{base}/keys/jwks.json"))
        .sign(rich_card(&base))
        .unwrap();
    let err = verifier.verify(&stranger).await.unwrap_err();
    assert_eq!(err.kind(), SignatureErrorKind::UnknownKey, "{err}");
    assert!(err.message().contains("has no key with the kid"), "{err}");
    assert_eq!(fetches.load(Ordering::SeqCst), 1);

    // Not fetched: plain http unless allowed, or outside the trusted location.
    let strict = CardVerifier::new(KeySet::new()).trust_jku(&format!("{base}/keys/"));
    let err = strict.verify(&card).await.unwrap_err();
    assert_eq!(err.kind(), SignatureErrorKind::KeyFetch, "{err}");
    assert!(err.message().contains("https only"), "{err}");
    for path in ["/other/jwks.json", "/keysx/jwks.json", "/keys/../other/jwks.json"] {
        let err = trusting().verify(&card_with_jku(path)).await.unwrap_err();
        assert_eq!(err.kind(), SignatureErrorKind::UnknownKey, "{path}: {err}");
        assert!(
            err.message().contains("not at a trusted location"),
            "{path}: {err}"
        );
    }
    let prefix_without_slash = CardVerifier::new(KeySet::new())
        .trust_jku(&format!("{base}/keys"))
        .allow_http_jku(true);
    let err = prefix_without_slash
        .verify(&card_with_jku("/keysx/jwks.json"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), SignatureErrorKind::UnknownKey, "{err}");
    assert_eq!(fetches.load(Ordering::SeqCst), 1);

    // Fetched and refused: too large, or a redirect (not followed).
    for (path, says) in [("/keys/huge.json", "larger than"), ("/keys/moved.json", "302")] {
        let err = trusting().verify(&card_with_jku(path)).await.unwrap_err();
        assert_eq!(err.kind(), SignatureErrorKind::KeyFetch, "{path}: {err}");
        assert!(err.message().contains(says), "{path}: {err}");
    }

    // A location that is no URL is reported, not ignored.
    let err = CardVerifier::new(KeySet::new())
        .trust_jku("keys/")
        .verify(&card)
        .await
        .unwrap_err();
    assert!(err.message().contains("not an http(s) URL"), "{err}");
}

/// The signature error a client error carries.
fn signature_error(err: &Error) -> &SignatureError {
    std::error::Error::source(err)
        .and_then(|source| source.downcast_ref::<SignatureError>())
        .unwrap_or_else(|| panic!("no signature error under {err:?}"))
}

#[tokio::test]
async fn the_client_factory_refuses_cards_without_a_valid_signature_before_any_call() {
    let signer = ring_signer(Algorithm::EdDsa, "agent-key");
    let keys = KeySet::from(signer.verifying_key());
    let card = |base: &str| {
        AgentCard::builder()
            .name("Signed agent")
            .description("Says who called")
            .interface(format!("{base}/"), binding::JSONRPC)
            .build()
    };

    // A good signature: the client is built and works.
    let good = serve(|base| signer.sign(card(base)).unwrap(), axum::Router::new()).await;
    let factory = ClientFactory::new().require_signed_card(keys.clone());
    let client = factory
        .connect(&good.base)
        .await
        .expect("a validly signed card is accepted");
    match client.send_message("hello").await.expect("the call goes through") {
        SendMessageResponse::Task(task) => assert_eq!(task.artifacts[0].to_text(), "anonymous"),
        other => panic!("{other:?}"),
    }
    let resolved = factory.resolve_card(&good.base).await.unwrap();
    factory
        .client_for_card(resolved.clone())
        .expect("a signed card given directly");

    // Unsigned, tampered, signed by a stranger: refused, saying why.
    let unsigned = serve(card, axum::Router::new()).await;
    let tampered = serve(
        |base| {
            let mut signed = signer.sign(card(base)).unwrap();
            signed
                .skills
                .push(AgentSkill::new("pay", "Pay", "Pays anyone anything"));
            signed
        },
        axum::Router::new(),
    )
    .await;
    let stranger = ring_signer(Algorithm::EdDsa, "someone-else");
    let foreign = serve(|base| stranger.sign(card(base)).unwrap(), axum::Router::new()).await;
    for (server, kind, says) in [
        (&unsigned, SignatureErrorKind::Unsigned, "not signed"),
        (
            &tampered,
            SignatureErrorKind::Tampered,
            "changed after it was signed",
        ),
        (&foreign, SignatureErrorKind::UnknownKey, "someone-else"),
    ] {
        let err = factory.connect(&server.base).await.expect_err("refused");
        assert_eq!(err.kind(), ErrorKind::InvalidResponse, "{err}");
        assert!(
            err.message().contains("is refused") && err.message().contains(says),
            "{err}"
        );
        assert!(
            err.message().contains(&server.base),
            "names where the card was: {err}"
        );
        assert_eq!(signature_error(&err).kind(), kind, "{err}");
        let err = factory.resolve_card(&server.base).await.expect_err("refused");
        assert_eq!(signature_error(&err).kind(), kind, "{err}");
    }
    // An agent under a path: the refused card found at the origin is the
    // answer, not the places tried before it where there was none.
    let err = factory
        .connect(&format!("{}/agent", unsigned.base))
        .await
        .expect_err("refused");
    assert_eq!(
        signature_error(&err).kind(),
        SignatureErrorKind::Unsigned,
        "{err}"
    );

    let mut altered = resolved;
    altered.version = "6.6.6".to_owned();
    let err = factory
        .client_for_card(altered.clone())
        .expect_err("a tampered card given directly");
    assert_eq!(
        signature_error(&err).kind(),
        SignatureErrorKind::Tampered,
        "{err}"
    );
    let err = factory
        .client_for_card_from(altered, &good.base)
        .expect_err("a tampered card given directly");
    assert_eq!(
        signature_error(&err).kind(),
        SignatureErrorKind::Tampered,
        "{err}"
    );

    // Without the requirement, the unsigned agent is used as before.
    ClientFactory::new()
        .connect(&unsigned.base)
        .await
        .expect("no signature required");
}

#[tokio::test]
async fn the_client_factory_verifies_with_keys_from_the_agents_trusted_key_set() {
    let signer = ring_signer(Algorithm::Es256, "published");
    let fetches = Arc::new(AtomicUsize::new(0));
    let server = serve(
        |base| {
            let card = AgentCard::builder()
                .name("Signed agent")
                .interface(format!("{base}/"), binding::JSONRPC)
                .build();
            signer
                .clone()
                .with_jku(format!("{base}/keys/jwks.json"))
                .sign(card)
                .unwrap()
        },
        key_routes(signer.jwks(), fetches.clone()),
    )
    .await;
    let verifier = CardVerifier::new(KeySet::new())
        .trust_jku(&format!("{}/keys/", server.base))
        .allow_http_jku(true);
    let factory = ClientFactory::new().require_signed_card(verifier);
    let client = factory
        .connect(&server.base)
        .await
        .expect("verified with the published key");
    assert!(client.card().is_some());
    assert_eq!(fetches.load(Ordering::SeqCst), 1);

    // Trusting no key set location, the same card is refused.
    let factory = ClientFactory::new().require_signed_card(KeySet::new());
    let err = factory.connect(&server.base).await.unwrap_err();
    assert_eq!(
        signature_error(&err).kind(),
        SignatureErrorKind::UnknownKey,
        "{err}"
    );
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
}
