import Foundation
import Testing

/// `drmock serve --lint-report FILE`: the built binary writes every context's report at shutdown.
@Suite struct LintReportFileTests {
    @Test func theReportIsWrittenAtShutdownForEveryContext() throws {
        let binary = Harness.root + "/.build/debug/drmock"
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build first: \(binary)")
        let stem = "/tmp/drmock-lint-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let (readyFile, reportFile) = (stem + ".ready", stem + ".lint.json")
        defer { unlink(readyFile); unlink(reportFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--port", "0", "--db", ":memory:", "--clock", "manual", "--ready-file", readyFile, "--lint-report", reportFile]
        process.currentDirectoryURL = URL(fileURLWithPath: Harness.root)
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        defer { if process.isRunning { process.terminate(); process.waitUntilExit() } }
        // drmock prints the ready line on stdout once it has written the ready file: read the pipe until
        // then (EOF if it exits first), instead of polling the file.
        let line = try #require(Self.readyLine(from: out.fileHandleForReading), "drmock exited before it was ready")
        #expect(try String(contentsOfFile: readyFile, encoding: .utf8) == line + "\n")
        let info = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let port = UInt16(try #require(info["port"] as? Int))
        // Two contexts; the second one's client uses the 10.9 URLs.
        for context in ["arcgis", "ci-7"] {
            let signIn = HTTPClient.request(port: port, method: "POST", path: "/\(context)/sharing/rest/generateToken",
                                            headers: [("User-Agent", "ci-client/1")], body: form([("username", "admin"), ("password", "drmock-admin-1"),
                                                                                                   ("client", "referer"), ("referer", "x"), ("f", "json")]))
            let token = try #require((try JSONSerialization.jsonObject(with: Data(signIn.body.utf8)) as? [String: Any])?["token"] as? String)
            let path = context == "ci-7" ? "backuprestore/backups" : "stores"
            let r = HTTPClient.request(port: port, method: "GET", path: "/\(context)/admin/system/disasterrecovery/\(path)?f=json",
                                       headers: [("User-Agent", "ci-client/1"), ("Authorization", "Bearer \(token)")])
            #expect(r.status == 200)
        }
        process.terminate()
        process.waitUntilExit()
        let written = try #require(FileManager.default.contents(atPath: reportFile), "no report at \(reportFile)")
        let reports = try #require((try JSONSerialization.jsonObject(with: written) as? [String: Any])?["reports"] as? [[String: Any]])
        #expect(reports.compactMap { $0["context"] as? String } == ["arcgis", "ci-7"])
        let rules = reports.map { (($0["findings"] as? [[String: Any]]) ?? []).compactMap { $0["rule"] as? String } }
        #expect(rules == [[], ["legacy-backuprestore"]])
    }

    /// The first stdout line that is a JSON object (the ready line), or nil at end of file.
    static func readyLine(from output: FileHandle) -> String? {
        var pending = ""
        while true {
            let chunk = output.availableData
            if chunk.isEmpty { return nil }
            pending += String(decoding: chunk, as: UTF8.self)
            while let newline = pending.firstIndex(of: "\n") {
                let line = String(pending[..<newline])
                pending = String(pending[pending.index(after: newline)...])
                if line.hasPrefix("{") { return line }
            }
        }
    }
}
