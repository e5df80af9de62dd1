import Foundation
import HTTPServer
import Testing

@Suite struct TLSTests {
    /// Makes a self-signed certificate with `openssl`, or nil if that fails.
    private func selfSignedCertificate() throws -> Server.Configuration.TLS? {
        let openssl = try #require(findExecutable("openssl"))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("httpserver-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = directory.appendingPathComponent("key.pem").path
        let certificate = directory.appendingPathComponent("cert.pem").path
        let status = try run(openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate,
                                       "-days", "1", "-subj", "/CN=127.0.0.1"]).status
        guard status == 0 else { return nil }
        return .init(certificatePEM: try String(contentsOfFile: certificate, encoding: .utf8),
                     keyPEM: try String(contentsOfFile: key, encoding: .utf8))
    }

    @Test(.enabled(if: findExecutable("openssl") != nil && findExecutable("curl") != nil, "needs openssl and curl"))
    func servesHTTPSWithASelfSignedCertificate() throws {
        let tls = try #require(try selfSignedCertificate())
        let curl = try #require(findExecutable("curl"))
        let handler: Handler = { request in .now(.text("tls=\(request.isTLS) q=\(request.queryValue("q") ?? "")")) }
        try withServer(.init(tls: tls), handler: handler) { server throws in
            #expect(server.isTLS)
            let result = try run(curl, ["-sk", "https://127.0.0.1:\(server.port)/?q=secure"])
            #expect(result.status == 0)
            #expect(result.output == "tls=true q=secure")
            // Plain HTTP on the TLS port does not get a normal answer.
            let plain = try? TestConnection(port: server.port, timeoutSeconds: 3).request("GET", "/")
            #expect(plain?.status != 200)
        }
    }

    @Test func badKeyMaterialThrows() {
        let server = Server(configuration: .init(tls: .init(certificatePEM: "not a cert", keyPEM: "not a key"))) { _ in
            .now(.text(""))
        }
        #expect(throws: ServerError.self) { try server.start() }
    }
}

func findExecutable(_ name: String) -> String? {
    for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let path = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}

func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
