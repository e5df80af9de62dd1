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
        var pushedOut: [Int] = []
        for _ in 0..<(RequestJournal.capacity + 5) {
            if let old = j.append(Self.entry(0)) { pushedOut.append(old.seq) }
        }
        #expect(pushedOut == [1, 2, 3, 4, 5], "a full ring hands back the entries it replaces, oldest first")
        let seqs = j.entries.map(\.seq)
        #expect(seqs.count == RequestJournal.capacity)
        #expect(seqs.first == 6)
        #expect(seqs.last == RequestJournal.capacity + 5)
        #expect(seqs == seqs.sorted())
        #expect(j.filtered(path: nil, since: RequestJournal.capacity + 3).map(\.seq) == [RequestJournal.capacity + 4, RequestJournal.capacity + 5])
        j.clear()
        #expect(j.entries.isEmpty)
        #expect(j.append(Self.entry(0)) == nil)
        #expect(j.entries.map(\.seq) == [RequestJournal.capacity + 6])
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
