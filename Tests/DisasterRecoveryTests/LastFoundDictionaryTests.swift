@testable import DisasterRecovery
import Testing

/// The remembered entry never makes the dictionary answer other than a plain one would.
@Suite struct LastFoundDictionaryTests {
    @Test func findsWhatADictionaryFindsAfterEveryChange() {
        var d = LastFoundDictionary<Int>()
        var plain: [String: Int] = [:]
        let keys = ["a", "b", "/arcgis/admin/system/disasterrecovery/status", "caf\u{E9}", "cafe\u{301}", ""]
        var seed: UInt64 = 7
        func next() -> Int { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Int(seed >> 33) }
        for step in 0..<2_000 {
            let key = keys[next() % keys.count]
            switch next() % 5 {
            case 0: d[key] = step; plain[key] = step
            case 1: d[key] = nil; plain[key] = nil
            case 2: #expect(d[key] == plain[key])
            case 3 where step % 97 == 0: d.removeAll(); plain.removeAll()
            default: #expect(d.find(key) == plain[key])
            }
            #expect(d.count == plain.count)
        }
        #expect(Set(d.keys) == Set(plain.keys))
    }

    /// As in a Dictionary, canonically equivalent texts are one key (é precomposed or not).
    @Test func canonicallyEquivalentKeysAreOne() {
        var d = LastFoundDictionary<String>()
        d["caf\u{E9}"] = "x"
        #expect(d.find("cafe\u{301}") == "x")
        d["cafe\u{301}"] = nil
        #expect(d.find("caf\u{E9}") == nil && d.count == 0)
    }
}
