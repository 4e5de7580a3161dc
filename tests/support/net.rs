//! Sockets for tests of what a client does when the network says no.

/// A port on 127.0.0.1 that refuses connections: bound, not listening, and
/// held while the socket lives, so that no other test can take it meanwhile.
pub fn refusing_port() -> (tokio::net::TcpSocket, std::net::SocketAddr) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let address = socket.local_addr().unwrap();
    (socket, address)
}
