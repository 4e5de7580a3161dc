//! Generates the gRPC code from `proto/` when the `grpc` feature is on (A2A
//! 1.0's `proto/a2a.proto` and v0.3's `proto/a2a_v0_3.proto`), and
//! rebuilds the crate when `migrations/` changes (the SQL stores embed it).
//!
//! The proto files are compiled by protox, a protobuf compiler written in
//! Rust, so no `protoc` has to be installed.

fn main() {
    println!("cargo:rerun-if-changed=proto");
    println!("cargo:rerun-if-changed=migrations");
    #[cfg(feature = "grpc")]
    grpc::generate();
}

#[cfg(feature = "grpc")]
mod grpc {
    pub fn generate() {
        // One descriptor set for both versions, so that the google.api files
        // they share are generated once. Each package lands in a file of its
        // own in OUT_DIR: `lf.a2a.v1.rs` (1.0) and `a2a.v1.rs` (v0.3).
        let descriptors =
            protox::compile(["proto/a2a.proto", "proto/a2a_v0_3.proto"], ["proto"]).expect("proto/ compiles");
        tonic_prost_build::configure()
            .build_server(true)
            .build_client(true)
            .compile_fds(descriptors)
            .expect("the gRPC code generates");
    }
}
