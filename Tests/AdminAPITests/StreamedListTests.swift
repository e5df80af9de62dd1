import Foundation
import Synchronization
import Testing
@testable import AdminAPI

/// A list answer estimated bigger than the answer cache holds is streamed (chunked), not built whole
/// and not kept; its bytes are exactly those of the answer written whole (issue #11).
@Suite struct StreamedListTests {
    static let lists = ["\(Harness.dr)/stores/default/backups", "\(Harness.dr)/backuprestore/backups"]

    @Test func aListTooBigForTheCacheIsStreamedInTheSameBytes() throws {
        let whole = try Harness()
        let streamed = try Harness(answerCacheBytes: 1_000)  // the default fixture's two backups are about 2 KB
        let (wt, st) = (try whole.token(), try streamed.token())
        for n in 0..<3 {
            for path in Self.lists {
                for f in ["json", "pjson"] {
                    let a = whole.get("\(path)?f=\(f)&token=\(wt)")
                    let b = streamed.get("\(path)?f=\(f)&token=\(st)")
                    #expect(a.header("Content-Length") == String(a.body.utf8.count))
                    #expect(a.header("Transfer-Encoding") == nil)
                    #expect(b.header("Transfer-Encoding") == "chunked")
                    #expect(b.header("Content-Length") == nil)
                    #expect(b.header("Content-Type") == a.header("Content-Type"))
                    #expect(b.status == 200 && a.status == 200)
                    // The same bytes as the answer written whole: the other server's at first (the same
                    // fixture), then this deployment's own list (created backups differ between servers).
                    if n == 0 { #expect(b.body == a.body) }
                    let backups = try streamed.server.deployment.allBackups()
                    #expect(Array(b.body.utf8) == BackupList(backups, pretty: f == "pjson").whole())
                    #expect((try streamed.json(b)["backups"] as? [Any])?.count == 2 + n)
                }
            }
            // The streamed answers were not kept; the whole ones were.
            #expect(streamed.server.service.cache.usage.entries == 0)
            #expect(whole.server.service.cache.usage.entries > 0)
            // A new backup shows in both at once.
            for h in [whole, streamed] {
                _ = try h.createBackup(h === whole ? wt : st, name: "streamed-\(n)")
                try h.advance(200_000)
            }
        }
        // HEAD: the exact length of the streamed answer, no body.
        let head = HTTPClient.request(port: streamed.port, method: "HEAD", path: "\(Self.lists[0])?f=json&token=\(st)")
        let got = streamed.get("\(Self.lists[0])?f=json&token=\(st)")
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(head.header("Content-Length") == String(got.body.utf8.count))
        // Small answers (one backup, the stores) are still kept whole under the small cap.
        let one = streamed.get("\(Harness.dr)/stores/default/backups/backup_first?f=json&token=\(st)")
        #expect(one.header("Content-Length") != nil)
        // Errors and auth come first: no token, no stream.
        #expect(try streamed.errorCode(streamed.get("\(Self.lists[0])?f=json")) == 499)
    }

    @Test func manyStreamedAnswersAtOnceAreAllWhole() throws {
        let h = try Harness(threads: 2, answerCacheBytes: 1_000)
        for i in 0..<40 {
            _ = try h.createBackup(try h.token(), name: "many-\(i)")
            try h.advance(200_000)
        }
        let token = try h.token()
        let reference = h.get("\(Self.lists[0])?f=json&token=\(token)").body
        #expect((try h.json(h.get("\(Self.lists[0])?f=json&token=\(token)"))["backups"] as? [Any])?.count == 42)
        let bodies = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            let b = HTTPClient.request(port: h.port, method: "GET", path: "\(Self.lists[0])?f=json&token=\(token)").body
            bodies.withLock { $0.append(b) }
        }
        #expect(bodies.withLock { $0.count } == 16)
        #expect(bodies.withLock { $0.allSatisfy { $0 == reference } })
    }
}
