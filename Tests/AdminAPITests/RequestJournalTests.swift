@testable import AdminAPI
import Foundation
import Testing

@Suite struct RequestJournalTests {
    static func entry(_ seq: Int, path: String = "/arcgis/admin/jobs") -> JournalEntry {
        JournalEntry(seq: seq, time: 0, clock: 0, method: "GET", path: path, query: [], formKeys: [], user: nil,
                     status: 200, errorCode: nil, latencyMs: 0, fault: nil)
    }

    @Test func keepsTheLastEntriesInOrderWhenTheRingWraps() {
        var j = RequestJournal()
        var handedBack = 0
        for _ in 0..<(RequestJournal.capacity + 5) {
            if j.append(Self.entry(0)) != nil { handedBack += 1 }
        }
        #expect(handedBack == RequestJournal.capacity + 4, "every entry whose shape is already kept is handed back, to be freed outside the lock")
        let seqs = j.entries.map(\.seq)
        #expect(seqs.count == RequestJournal.capacity)
        #expect(seqs.first == 6)
        #expect(seqs.last == RequestJournal.capacity + 5)
        #expect(seqs == seqs.sorted())
        #expect(j.filtered(path: nil, since: RequestJournal.capacity + 3).map(\.seq) == [RequestJournal.capacity + 4, RequestJournal.capacity + 5])
        j.clear()
        #expect(j.entries.isEmpty)
        #expect(j.append(Self.entry(0)) == nil, "a new shape is kept, nothing to free")
        #expect(j.entries.map(\.seq) == [RequestJournal.capacity + 6])
    }

    @Test func keepsEveryFieldOfEachEntryWhileSharingWhatRepeats() {
        var j = RequestJournal()
        func make(_ i: Int) -> JournalEntry {
            JournalEntry(seq: i + 1, time: Int64(1000 + i), clock: Int64(2000 + i), method: i % 3 == 0 ? "POST" : "GET",
                             path: "/arcgis/admin/jobs/j\(i % 5)", query: [("f", "json"), ("token", "***")],
                             formKeys: i % 3 == 0 ? ["name", "passcode"] : [], user: i % 2 == 0 ? "admin" : nil,
                             status: i % 7 == 0 ? 498 : 200, errorCode: i % 7 == 0 ? 498 : nil, latencyMs: Double(i) / 8,
                             fault: i % 11 == 0 ? "latency 5 ms" : nil)
        }
        let total = RequestJournal.capacity + 700
        for i in 0..<total { _ = j.append(make(i)) }
        let kept = j.entries
        #expect(kept.count == RequestJournal.capacity)
        for (k, e) in kept.enumerated() {
            let i = total - RequestJournal.capacity + k
            let want = make(i)
            #expect(e.seq == want.seq && e.time == want.time && e.clock == want.clock && e.method == want.method)
            #expect(e.path == want.path && e.query.map(\.name) == want.query.map(\.name) && e.query.map(\.value) == want.query.map(\.value))
            #expect(e.formKeys == want.formKeys && e.user == want.user && e.status == want.status && e.errorCode == want.errorCode)
            #expect(e.latencyMs == want.latencyMs && e.fault == want.fault)
        }
    }

    /// A full journal of one repeated request (a load on one path) keeps that request's strings once:
    /// its slots are 24 bytes each (before: about 420 bytes an entry with the path and query copied).
    @Test func aFullJournalOfOnePathIsSmall() {
        var j = RequestJournal()
        for i in 0..<(RequestJournal.capacity * 2) {
            _ = j.append(
                JournalEntry(seq: 0, time: Int64(i), clock: Int64(i), method: "GET", path: "/ctx-\(i % 2)/admin/system/disasterrecovery/status",
                             query: [("f", "json"), ("token", "***")], formKeys: [], user: "admin", status: 200, errorCode: nil,
                             latencyMs: 0.05, fault: nil))
        }
        #expect(j.approximateBytes < RequestJournal.capacity * 32)
        #expect(Set(j.entries.map(\.path)).count == 2)
        // Distinct paths are dropped with the last entry that uses them.
        for i in 0..<RequestJournal.capacity {
            _ = j.append(JournalEntry(seq: 0, time: 0, clock: 0, method: "GET", path: "/arcgis/admin/jobs/j\(i)-with-a-long-id", query: [],
                                    formKeys: [], user: nil, status: 200, errorCode: nil, latencyMs: 0, fault: nil))
        }
        for _ in 0..<RequestJournal.capacity { _ = j.append(Self.entry(0)) }
        #expect(j.approximateBytes < RequestJournal.capacity * 32 + 8 * 1024)
        #expect(j.entries.allSatisfy { $0.path == "/arcgis/admin/jobs" })
    }

    /// Latency is kept in whole microseconds: the JSON shows the same number as before.
    @Test func latencyShowsAsBefore() {
        var j = RequestJournal()
        let latencies = [0, 0.0004, 0.0005, 0.0421337, 1.23456789, 250.0004999, 600_000.123456, -1, .nan, 1e12]
        for ms in latencies {
            var e = Self.entry(0)
            e.latencyMs = ms
            _ = j.append(e)
        }
        let shown = j.entries.map { e -> Double? in
            if case .double(let d)? = e.json["latencyMs"] { return d }
            return nil
        }
        let expected = latencies.map { ms -> Double? in
            let us = (ms * 1000).rounded()
            return us.isNaN || us <= 0 ? 0 : min(us, Double(UInt32.max)) / 1000
        }
        #expect(shown == expected)
        #expect(shown[3] == 0.042 && shown[4] == 1.235 && shown[6] == 600_000.123)
    }

    @Test func masksSecretsInQueries() {
        let masked = RequestJournal.mask([("token", "abc"), ("f", "json"), ("Passcode", "x")])
        #expect(masked.map(\.value) == ["***", "json", "***"])
        #expect(masked.map(\.name) == ["token", "f", "Passcode"])
    }

    /// The byte-wise check agrees with lowercasing and the set, non-ASCII names included.
    @Test(arguments: ["token", "TOKEN", "ToKeN", "tokens", "toke", "", "f", "code", "CODE", "client_secret", "Client_Secret",
                      "refresh_token", "access_token", "password", "passcode", "secret", "to\u{212A}en", "tök", "ŧoken", "t\u{0}ken"])
    func secretNamesAreFoundWhateverTheirCase(name: String) {
        #expect(RequestJournal.isSecret(name) == RequestJournal.secretNames.contains(name.lowercased()))
    }

    /// A record appended as it is (matched against the newest shapes without masking) leaves the
    /// journal exactly as its masked entry would: same entries, same JSON, secrets never kept.
    @Test func aRecordIsKeptAsItsMaskedEntry() {
        func record(_ i: Int) -> JournalRecord {
            // Polls repeat (the newest shape), two alternate (the one before it), and some differ in
            // one field only: a secret's value (same shape), a plain value, a form field, the user.
            let query: [(name: String, value: String)] = [("f", i % 7 == 0 ? "pjson" : "json"), ("Token", "secret-\(i)"),
                                                          ("passcode", i % 3 == 0 ? "***" : "p\(i)")]
            let form: [(name: String, value: String)] = i % 5 == 0 ? [("password", "hunter\(i)"), ("name", "n")] : []
            let fields = JournalEntry(seq: 0, time: Int64(i), clock: Int64(2 * i), method: i % 11 == 0 ? "POST" : "GET",
                                      path: i % 2 == 0 ? "/arcgis/admin/system/disasterrecovery/status" : "/arcgis/admin/jobs/j-\(i % 4)",
                                      query: [], formKeys: [], user: i % 13 == 0 ? nil : "admin", status: i % 17 == 0 ? 498 : 200,
                                      errorCode: i % 17 == 0 ? 498 : nil, latencyMs: Double(i) / 7, fault: i % 19 == 0 ? "latency 5 ms" : nil)
            return JournalRecord(fields: fields, query: query, form: form)
        }
        var byRecord = RequestJournal(), byEntry = RequestJournal()
        let total = RequestJournal.capacity + 300
        for i in 0..<total {
            _ = byRecord.append(record(i))
            _ = byEntry.append(record(i).entry)
        }
        let kept = byRecord.entries
        #expect(kept.count == RequestJournal.capacity)
        #expect(kept.map { $0.json.serialized(pretty: false) } == byEntry.entries.map { $0.json.serialized(pretty: false) })
        #expect(kept.allSatisfy { e in e.query.filter { RequestJournal.isSecret($0.name) }.allSatisfy { $0.value == "***" } })
        #expect(!kept.contains { e in e.query.contains { $0.value.hasPrefix("secret-") || $0.value.hasPrefix("hunter") } })
        #expect(kept.last?.seq == total && kept.last?.formKeys == (record(total - 1).form.map(\.name)))
    }

    @Test func aQueryWithoutSecretsIsKeptAsItIs() {
        let pairs = [(name: "f", value: "json"), (name: "x", value: "y")]
        let masked = RequestJournal.mask(pairs)
        #expect(masked.map(\.name) == ["f", "x"] && masked.map(\.value) == ["json", "y"])
    }
}

/// Every scenario file in fixtures/ loads: its fixture exists and its fault plan is valid.
@Suite struct ScenarioFileTests {
    @Test func everyScenarioInFixturesLoads() throws {
        let dir = Harness.root + "/fixtures"
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".json") }.sorted()
        var scenarios: [String] = []
        for name in names {
            let loaded = try ScenarioFile.loadFile(dir + "/" + name, executablePath: "")
            if let s = loaded.scenario {
                scenarios.append(s)
                #expect(s + ".json" == name, "a scenario's name is its file name")
                #expect(loaded.plan != nil)
            }
        }
        #expect(scenarios.contains("object-store-fails"))
        #expect(scenarios.count >= 3)
    }
}
