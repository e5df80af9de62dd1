import AdminAPI
import DisasterRecovery
import Foundation
import Testing
@testable import AdminAPI

/// `--control-key` and `--control-loopback-only`: locks on the control plane beyond the admin token.
@Suite struct ControlAccessTests {
    @Test func theKeyIsRequiredOnEveryControlEndpointButHealthAndReady() throws {
        let h = try Harness(controlAccess: ControlAccess(key: "s3cret-key"))
        let token = try h.token()
        let noKey = h.control("GET", "clock", token: token)
        #expect(noKey.status == 401)
        #expect(noKey.body.contains("A control key is required."))
        #expect(!noKey.body.contains("s3cret-key"))
        let wrong = HTTPClient.request(port: h.port, method: "GET", path: "/_mock/clock?token=\(token)",
                                       headers: [("X-Drmock-Control-Key", "s3cret-kez")])
        #expect(wrong.status == 401)
        let right = HTTPClient.request(port: h.port, method: "GET", path: "/_mock/clock?token=\(token)",
                                       headers: [("X-Drmock-Control-Key", "s3cret-key")])
        #expect(right.status == 200)
        // The key adds to the admin token, it does not replace it.
        let keyOnly = HTTPClient.request(port: h.port, method: "GET", path: "/_mock/clock",
                                         headers: [("X-Drmock-Control-Key", "s3cret-key")])
        #expect(keyOnly.status == 401)
        #expect(h.get("/_mock/health").status == 200)
        #expect(h.get("/_mock/ready").status == 200)
        // The emulated API itself is not affected.
        #expect(try h.json(h.get("/arcgis/admin/system/disasterrecovery/status?f=json&token=\(token)"))["status"] != nil)
    }

    @Test func withoutAKeyNothingChanges() throws {
        let h = try Harness()
        let token = try h.token()
        #expect(h.control("GET", "clock", token: token).status == 200)
    }

    @Test func loopbackOnlyServesLoopbackClients() throws {
        let h = try Harness(controlAccess: ControlAccess(loopbackOnly: true))
        let token = try h.token()
        #expect(h.control("GET", "clock", token: token).status == 200)
    }

    @Test func loopbackAddresses() {
        #expect(ControlAccess.isLoopback("127.0.0.1"))
        #expect(ControlAccess.isLoopback("127.3.2.1"))
        #expect(ControlAccess.isLoopback("::1"))
        #expect(ControlAccess.isLoopback("::ffff:127.0.0.1"))
        #expect(!ControlAccess.isLoopback("10.0.0.1"))
        #expect(!ControlAccess.isLoopback("128.0.0.1"))
        #expect(!ControlAccess.isLoopback("::ffff:192.168.1.2"))
        #expect(!ControlAccess.isLoopback(""))
        #expect(!ControlAccess.isLoopback("fe80::1"))
    }

    @Test func keyComparison() {
        #expect(SecretHash.sameBytes("abc", "abc"))
        #expect(!SecretHash.sameBytes("abd", "abc"))
        #expect(!SecretHash.sameBytes("ab", "abc"))
        #expect(!SecretHash.sameBytes("abcd", "abc"))
        #expect(!SecretHash.sameBytes("", "abc"))
        #expect(ControlAccess(key: "").key == nil)
    }
}
