//! Generates the gRPC code from `proto/` when the `grpc` feature is on, and
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
        let descriptors = protox::compile(["proto/a2a.proto"], ["proto"]).expect("proto/ compiles");
        tonic_prost_build::configure()
            .build_server(true)
            .build_client(true)
            .compile_fds(descriptors)
            .expect("the gRPC code generates");
    }
}
