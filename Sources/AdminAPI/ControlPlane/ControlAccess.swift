import DisasterRecovery
import HTTPServer

/// Extra locks on the control plane, on top of the admin token its endpoints already need:
/// `--control-loopback-only` refuses clients that are not on this machine's loopback, and
/// `--control-key KEY` requires the header `X-Drmock-Control-Key: KEY` on every control endpoint
/// except `health` and `ready` (so container health checks keep working without the key).
public struct ControlAccess: Sendable, Equatable {
    public var key: String?
    public var loopbackOnly: Bool

    public init(key: String? = nil, loopbackOnly: Bool = false) {
        self.key = key?.isEmpty == true ? nil : key
        self.loopbackOnly = loopbackOnly
    }

    /// The header that carries the control key.
    public static let keyHeader = "x-drmock-control-key"

    /// Why `request` may not reach the control endpoint at `path` (after `/_mock/`), or nil.
    func refusal(for request: Request, path: ArraySlice<Substring>) -> AdminError? {
        if loopbackOnly && !Self.isLoopback(request.remoteAddress) {
            return AdminError(403, "The control plane answers only on loopback.",
                                details: ["drmock was started with --control-loopback-only."])
        }
        let open = path.count == 1 && (path.first == "health" || path.first == "ready")
        if let key, !open, !SecretHash.sameBytes(request.header(Self.keyHeader) ?? "", key) {
            return AdminError(401, "A control key is required.",
                                details: ["Send the key given to --control-key in the X-Drmock-Control-Key header."])
        }
        return nil
    }

    /// 127.0.0.0/8, ::1, and IPv4-mapped loopback (::ffff:127.x.y.z).
    static func isLoopback(_ address: String) -> Bool {
        var a = Substring(address)
        if a.hasPrefix("::ffff:") { a = a.dropFirst(7) }
        return a == "::1" || a.hasPrefix("127.")
    }
}
