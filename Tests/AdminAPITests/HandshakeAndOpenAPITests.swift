@testable import AdminAPI
import Foundation
import Testing

/// The start-up handshake of the built binary, and the OpenAPI document against the router.
@Suite struct HandshakeAndOpenAPITests {
    @Test func readyFileAppearsOnlyOnceTheServerAnswers() throws {
        let binary = Harness.root + "/.build/debug/drmock"
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build first: \(binary)")
        let readyFile = "/tmp/drmock-ready-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).json"
        defer { unlink(readyFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--port", "0", "--db", ":memory:", "--clock", "manual", "--ready-file", readyFile]
        process.currentDirectoryURL = URL(fileURLWithPath: Harness.root)
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        // Poll for the file; the moment it is there, the server must answer.
        var line: String? = nil
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: readyFile, encoding: .utf8), !text.isEmpty { line = text; break }
            usleep(2000)
        }
        let text = try #require(line)
        #expect(text.hasSuffix("\n") && text.filter { $0 == "\n" }.count == 1)
        let ready = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let port = try #require(ready["port"] as? Int)
        #expect(HTTPClient.request(port: UInt16(port), method: "GET", path: "/_mock/health").status == 200)
        #expect(ready["url"] as? String == "http://127.0.0.1:\(port)/arcgis")
        #expect(ready["pid"] as? Int == Int(process.processIdentifier))
        let live = try JSONSerialization.jsonObject(with: Data(HTTPClient.request(port: UInt16(port), method: "GET", path: "/_mock/ready").body.utf8)) as? [String: Any]
        #expect(ready["release"] as? String == live?["release"] as? String)
        #expect((ready["release"] as? String)?.isEmpty == false)
        #expect(ready["fixture"] as? String == "default")
        #expect(ready["clock"] as? String == "manual")
        // The same line on stdout, after the human one.
        process.terminate()
        process.waitUntilExit()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(stdout.split(separator: "\n").contains { $0 + "\n" == text })
    }

    @Test func openAPIDocumentMatchesTheRouterBothWays() throws {
        let h = try Harness()
        let doc = try h.json(h.get("/_mock/openapi.json"))
        #expect(doc["openapi"] as? String == "3.1.0")
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, item) in paths { for method in item.keys { documented.insert("\(method.uppercased()) \(path)") } }
        // Every route the router knows is documented …
        var known = Set(RouteTables.all.map { "\($0.method) /{context}/\($0.pattern)" })
        known.formUnion(ControlRoutes.all.map { "\($0.method) /_mock/\($0.pattern)" })
        #expect(known.subtracting(documented).isEmpty, "undocumented: \(known.subtracting(documented).sorted())")
        // … and every documented operation is dispatched by the router (not "no such resource", not a wrong method).
        #expect(!documented.isEmpty)
        for op in documented.sorted() {
            let parts = op.split(separator: " ", maxSplits: 1)
            let method = String(parts[0])
            let path = String(parts[1]).replacingOccurrences(of: "{context}", with: "arcgis")
                .replacingOccurrences(of: "{store}", with: "default")
                .replacingOccurrences(of: #"\{[^}]+\}"#, with: "probe", options: .regularExpression)
            let token = try h.token()
            let r = HTTPClient.request(port: h.port, method: method, path: path + "?f=json",
                                       headers: [("Authorization", "Bearer \(token)")], body: method == "POST" ? "f=json" : "")
            if path.hasPrefix("/_mock/") {
                #expect(r.status != 404 || !r.body.contains("No control endpoint"), "\(op): \(r.body)")
                #expect(r.status != 405, "\(op)")
            } else {
                let error = (try? h.json(r))?["error"] as? [String: Any]
                #expect(error?["message"] as? String != "Resource not found.", "\(op): \(r.body)")
                #expect(error?["code"] as? Int != 405, "\(op)")
            }
        }
    }
}
