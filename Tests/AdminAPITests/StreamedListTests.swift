import Foundation
import Synchronization
import Testing
@testable import AdminAPI
import DisasterRecovery
import HTTPServer

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

    /// A fixture whose lists need escaping, percent-encoding and deduplication: a second store, names
    /// in both stores (one link each in the legacy list of all stores), a backup named like the
    /// `create` operation (whose link the page then drops), markup and non-ASCII in names and
    /// descriptions.
    static func awkwardLists(count: Int) -> (inout Fixture) -> Void {
        { f in
            // One start for every server made from it: pages show the emulated clock in their footer.
            f.clockStart = 1_700_000_000_000
            var second = f.stores[0]
            second.name = "second"
            second.isDefault = false
            f.stores.append(second)
            let template = f.backups[0]
            let names = ["create", "a<b>&\"c'd", "ünïcødé name", "with space", "per%cent?q#h", "same"]
            for i in 0..<count {
                var b = template
                b.backup.backupName = i < names.count ? names[i] : "bulk-\(i)"
                b.backup.description = i % 3 == 0 ? "<script>alert('\(i)')</script> & more" : ""
                b.backup.startTime += Int64(i) * 1000
                f.backups.append(b)
                if i % 4 == 0 || b.backup.backupName == "same" {
                    b.backup.backupStore = "second"
                    f.backups.append(b)
                }
            }
        }
    }

    /// The f=html page of a list is streamed when the list is big, in exactly the bytes of the page
    /// made whole (what a small list gets): the same fixture, one server streaming, one not.
    @Test func aBigListPageIsStreamedInTheSameBytes() throws {
        let fixture = Self.awkwardLists(count: 30)  // lists of 9 to 41 backups: JSON under 64 KiB
        let whole = try Harness(fixture: fixture)                            // 64 KiB and more are streamed
        let streamed = try Harness(answerCacheBytes: 1_000, fixture: fixture) // 1,000 bytes and more
        let (wt, st) = (try whole.token(), try streamed.token())
        let lists = Self.lists + ["\(Harness.dr)/stores/second/backups"]
        for path in lists {
            let a = whole.get("\(path)?f=html&token=\(wt)")
            let b = streamed.get("\(path)?f=html&token=\(st)")
            #expect(a.status == 200 && b.status == 200)
            #expect(a.header("Content-Length") == String(a.body.utf8.count) && a.header("Transfer-Encoding") == nil, "\(path)")
            #expect(b.header("Transfer-Encoding") == "chunked" && b.header("Content-Length") == nil, "\(path)")
            #expect(b.header("Content-Type") == a.header("Content-Type"))
            if path == lists[0] { #expect(b.body.utf8.count > BodyStream.blockSize, "more than one piece") }
            // The pages differ only in the token they act with.
            #expect(b.body.replacingOccurrences(of: st, with: "TOKEN") == a.body.replacingOccurrences(of: wt, with: "TOKEN"), "\(path)")
        }
        // What the page shows: one row per backup, one link per distinct URL, the JSON escaped.
        let page = streamed.get("\(lists[0])?f=html&token=\(st)").body
        let count = try streamed.server.deployment.backups(inStore: "default").count
        #expect(page.components(separatedBy: "<tr><td><a href=").count - 1 == count)
        #expect(page.contains("<td><a href=\"/arcgis/admin/system/disasterrecovery/stores/default/backups/a%3Cb%3E%26%22c%27d\">a&lt;b&gt;&amp;&quot;c&#39;d</a></td>"))
        #expect(!page.contains("<script>alert") && page.contains("&lt;script&gt;alert(&#39;3&#39;)&lt;/script&gt; &amp; more"))
        #expect(!page.contains("id=\"quick-backup\""))  // the backup named "create" hides the operation, as on a whole page
        let legacy = streamed.get("\(Harness.dr)/backuprestore/backups?f=html&token=\(st)").body
        #expect(legacy.components(separatedBy: "<li><a href=\"/arcgis/admin/system/disasterrecovery/backuprestore/backups/same\">").count == 2)
        // HEAD: the length of the streamed page, no body.
        let head = HTTPClient.request(port: streamed.port, method: "HEAD", path: "\(lists[0])?f=html&token=\(st)")
        #expect(head.status == 200 && head.body.isEmpty && head.header("Content-Length") == String(page.utf8.count))
        // A small list is still one whole page on the streaming server too.
        let small = streamed.get("\(Harness.dr)/stores/default/backups/same?f=html&token=\(st)")
        #expect(small.header("Content-Length") != nil)
    }

    /// A page of many backups (the legacy list of both stores, about 1 MB, streamed under the default
    /// answer cache): a whole document, a row per backup, and the JSON it shows is the f=pjson answer.
    @Test func aStreamedListPageIsWellFormedAtAnySize() throws {
        let h = try Harness(fixture: Self.awkwardLists(count: 300))
        let token = try h.token()
        let r = h.get("\(Self.lists[1])?f=html&token=\(token)")
        #expect(r.status == 200 && r.header("Transfer-Encoding") == "chunked")
        #expect(r.body.hasPrefix("<!DOCTYPE html>") && r.body.hasSuffix("</body></html>\n"))
        let all = try h.server.deployment.allBackups()
        #expect(r.body.components(separatedBy: "<tr><td><a href=").count - 1 == all.count)
        // The JSON under the table, unescaped, is the f=pjson answer.
        let pre = try #require(r.body.components(separatedBy: "<pre class=\"json\">").last?.components(separatedBy: "</pre>").first)
        let unescaped = pre.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
        #expect(Array(unescaped.utf8) == BackupList(all, pretty: true).whole())
    }
}
