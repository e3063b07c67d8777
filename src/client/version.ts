// The version this client puts into the sync URL (protocol.md §1).
//
// It is a wire-protocol version, not this package's version (0.1.0): servers compare it against
// the official client's version line to decide what to send. It must be >= 1.28.0, below which a
// server may refuse to split large transitions into TransitionChunks (§10) and send a frame too
// large for some proxies instead. We claim 1.31.0: a release of that line that already speaks
// everything protocol.md describes (chunked transitions, `componentPath`, clock-skew fields), and
// not newer than what we implement, so a server never assumes features this client lacks. Change
// it only together with protocol.md.
export const CLIENT_PROTOCOL_VERSION = "1.31.0";
