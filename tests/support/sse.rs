//! Reading a protocol stream off the wire, frame by frame.

use a2akit::types::{StreamResponse, Task};
use futures_util::StreamExt as _;

/// One SSE frame: its id (the event's sequence) and event.
pub type Frame = (u64, StreamResponse);

/// Reads the SSE frames of `response` until it ends, or until `more`
/// (shown the frames read so far, after each new one) says to stop. A
/// stream that breaks instead of ending fails the test.
pub async fn read_frames(response: reqwest::Response, mut more: impl FnMut(&[Frame]) -> bool) -> Vec<Frame> {
    assert!(response.status().is_success(), "{}", response.status());
    let mut body = response.bytes_stream();
    let mut buffer = String::new();
    let mut out = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.expect("the stream ends cleanly, not with a broken connection");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let frame: String = buffer.drain(..end + 2).collect();
            let (mut id, mut data) = (None, String::new());
            for line in frame.lines() {
                if let Some(value) = line.strip_prefix("id:") {
                    id = value.trim().parse().ok();
                } else if let Some(value) = line.strip_prefix("data:") {
                    data.push_str(value.trim_start());
                }
            }
            if let (Some(id), false) = (id, data.is_empty()) {
                out.push((id, serde_json::from_str(&data).expect("a StreamResponse")));
                if !more(&out) {
                    return out;
                }
            }
        }
    }
    out
}

/// The id of the task a stream opened with.
pub fn task_of(frames: &[Frame]) -> String {
    match &frames[0].1 {
        StreamResponse::Task(task) => task.id.clone(),
        other => panic!("a stream opens with its task, not {other:?}"),
    }
}

/// `GET /tasks/{id}` on the HTTP+JSON binding at `base`.
pub async fn get_task(http: &reqwest::Client, base: &str, id: &str) -> Task {
    let response = http
        .get(format!("{base}/tasks/{id}"))
        .header("a2a-version", "1.0")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap()
}
