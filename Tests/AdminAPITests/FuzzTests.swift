import DisasterRecovery
import Foundation
import Testing
@testable import AdminAPI
@testable import HTTPServer

/// Seeded random inputs, a bounded number of cases, over the form/query parsers, the JSON serializer
/// and the router (issue #7). `DRMOCK_FUZZ_SEED` and `DRMOCK_FUZZ_CASES` change the seed and the
/// count (e.g. `DRMOCK_FUZZ_CASES=1000000 swift test --filter FuzzTests`); a failure names its seed
/// and case so it can be replayed and kept as a regression case below.
@Suite struct FuzzTests {
    static let seed = UInt64(ProcessInfo.processInfo.environment["DRMOCK_FUZZ_SEED"] ?? "") ?? 0x5eed_d4a0
    static let cases = Int(ProcessInfo.processInfo.environment["DRMOCK_FUZZ_CASES"] ?? "") ?? 4000

    // MARK: - Form and query parsing

    /// Bytes that matter to the parser, mixed with anything at all.
    static func urlEncodedBytes(_ rng: inout SplitMix64) -> [UInt8] {
        let special = Array("%+=&;#?/0123456789abcdefABCDEFxyz ".utf8) + [0x00, 0x7f, 0x80, 0xc0, 0xc3, 0xe2, 0xed, 0xf0, 0xf4, 0xf8, 0xfe, 0xff]
        let count = Int(rng.next() % 48)
        return (0..<count).map { _ in rng.next() % 3 == 0 ? UInt8(truncatingIfNeeded: rng.next()) : special[Int(rng.next() % UInt64(special.count))] }
    }

    @Test func formAndQueryParsingRoundTrips() {
        var rng = SplitMix64(seed: Self.seed)
        for i in 0..<(Self.cases * 5) {
            let bytes = Self.urlEncodedBytes(&rng)
            let pairs = URLEncoding.decodePairs(bytes)
            let segments = bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true)
            #expect(pairs.count == segments.count, "seed \(Self.seed) case \(i): \(bytes)")
            // What was decoded, encoded again, decodes to the same pairs.
            let again = URLEncoding.decodePairs(pairs.map { "\($0.name.formEncoded)=\($0.value.formEncoded)" }.joined(separator: "&"))
            #expect(again.map(\.name) == pairs.map(\.name) && again.map(\.value) == pairs.map(\.value), "seed \(Self.seed) case \(i): \(bytes)")
            // A component without `%` or `+` decodes to itself.
            let plain = bytes.filter { $0 != UInt8(ascii: "%") && $0 != UInt8(ascii: "+") }
            #expect(URLEncoding.decode(String(decoding: plain, as: UTF8.self), plusIsSpace: true) == String(decoding: plain, as: UTF8.self))
        }
    }

    @Test func regressionInputsOfTheParsers() {
        // Truncated escapes at the very end, lone `%`, escapes of NUL and of invalid UTF-8.
        #expect(URLEncoding.decode("%", plusIsSpace: true) == "%")
        #expect(URLEncoding.decode("a%4", plusIsSpace: true) == "a%4")
        #expect(URLEncoding.decode("%41", plusIsSpace: true) == "A")
        #expect(URLEncoding.decode("%00", plusIsSpace: true) == "\u{0}")
        #expect(URLEncoding.decode("%ED%A0%80", plusIsSpace: false) == "\u{FFFD}\u{FFFD}\u{FFFD}")
        #expect(URLEncoding.decodePairs("=&=&&").map(\.name) == ["", ""])
    }

    // MARK: - JSON serializer

    static func randomString(_ rng: inout SplitMix64) -> String {
        var s = ""
        for _ in 0..<(rng.next() % 12) {
            switch rng.next() % 6 {
            case 0: s.unicodeScalars.append(Unicode.Scalar(UInt8(rng.next() % 0x20)))      // control characters
            case 1: s += ["\"", "\\", "/", "\u{7f}", "\u{2028}", "\u{2029}", "\u{FEFF}", "</script>", "<x-fuzz a='1'>"][Int(rng.next() % 9)]
            case 2: s.unicodeScalars.append(Unicode.Scalar(UInt32(0x1F300 + rng.next() % 0x300))!)   // astral
            case 3: s.unicodeScalars.append(Unicode.Scalar(UInt32(0xA0 + rng.next() % 0xD700))!)     // BMP below surrogates
            default: s.unicodeScalars.append(Unicode.Scalar(UInt8(0x20 + rng.next() % 0x5f)))
            }
        }
        return s
    }

    static func randomValue(_ rng: inout SplitMix64, depth: Int = 0) -> JSONValue {
        switch rng.next() % (depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(rng.next() % 2 == 0)
        case 2: return .int([Int64.min, Int64.max, 0, -1, Int64(bitPattern: rng.next())][Int(rng.next() % 5)])
        case 3:
            let d = [Double.nan, .infinity, -.infinity, 0.1, -0.0, 1e300, 5e-324, 123456789012345.0, 1e15, Double(bitPattern: rng.next())][Int(rng.next() % 10)]
            return .double(d)
        case 4: return .string(randomString(&rng))
        case 5: return .array((0..<(rng.next() % 5)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            var keys = Set<String>()
            var pairs: [(String, JSONValue)] = []
            for _ in 0..<(rng.next() % 5) {
                let k = randomString(&rng)
                if keys.insert(k).inserted { pairs.append((k, randomValue(&rng, depth: depth + 1))) }
            }
            return .object(pairs)
        }
    }

    /// A JSON value as JSONDecoder reads it: the oracle. (JSONSerialization on Linux drops U+FEFF
    /// inside strings, so it cannot be one.)
    enum Parsed: Decodable {
        case null, bool(Bool), int(Int64), double(Double), string(String), array([Parsed]), object([String: Parsed])
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let i = try? c.decode(Int64.self) { self = .int(i) }
            else if let d = try? c.decode(Double.self) { self = .double(d) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else if let a = try? c.decode([Parsed].self) { self = .array(a) }
            else { self = .object(try c.decode([String: Parsed].self)) }
        }
    }

    /// Whether the parse of our output means the same value.
    static func matches(_ v: JSONValue, _ parsed: Parsed) -> Bool {
        switch (v, parsed) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.double(d), _) where !d.isFinite:
            if case .null = parsed { return true }
            return false
        case let (.double(d), .int(i)): return Double(i) == d
        case let (.double(d), .double(p)): return p == d || abs(p - d) <= abs(d) * 1e-15
        case let (.string(a), .string(b)): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case let (.array(items), .array(a)): return items.count == a.count && zip(items, a).allSatisfy { matches($0, $1) }
        case let (.object(pairs), .object(o)):
            return o.count == pairs.count && pairs.allSatisfy { k, v in o[k].map { matches(v, $0) } ?? false }
        default: return false
        }
    }

    @Test func serializedJSONParsesBackToTheSameValue() throws {
        var rng = SplitMix64(seed: Self.seed ^ 0x15)
        for i in 0..<Self.cases {
            let value = JSONValue.array([Self.randomValue(&rng)])   // wrapped: fragments are not valid top-level JSON everywhere
            for pretty in [false, true] {
                let bytes = value.serialized(pretty: pretty)
                let parsed = try? JSONDecoder().decode(Parsed.self, from: Data(bytes))
                #expect(parsed.map { Self.matches(value, $0) } == true,
                        "seed \(Self.seed) case \(i) pretty \(pretty): \(String(decoding: bytes, as: UTF8.self))")
            }
        }
    }

    // MARK: - Router

    @Test func routerAnswersEveryRequestWithAnEnvelopeOrData() throws {
        let h = try Harness()
        let admin = try h.token()
        let viewer = try h.token("viewer", "drmock-viewer-1")
        let service = h.server.service
        var rng = SplitMix64(seed: Self.seed ^ 0x7047)
        let words = ["arcgis", "admin", "system", "disasterrecovery", "stores", "default", "backups", "create", "backup_first",
                     "jobs", "status", "sharing", "rest", "generateToken", "..", ".", "", "%00", "\u{0}", "ＡＤＭＩＮ", "x", "restore",
                     "delete", "settings", "_mock", "%2F", "schedule1-2021-10-22-20-00-09"]
        let methods = ["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "get", "PATCH", "X\u{0}"]
        var leaks = 0
        for i in 0..<Self.cases {
            func pick(_ a: [String]) -> String { a[Int(rng.next() % UInt64(a.count))] }
            let depth = Int(rng.next() % 8)
            let path = "/" + (0..<depth).map { _ in rng.next() % 5 == 0 ? Self.randomString(&rng) : pick(words) }.joined(separator: "/")
            let credential = rng.next() % 5
            var params: [(name: String, value: String)] = []
            for _ in 0..<(rng.next() % 5) {
                params.append((pick(["name", "passcode", "retentionDate", "description", "expiration", "username", "password", "client", "referer"]),
                               rng.next() % 2 == 0 ? Self.randomString(&rng) : pick(["None", "null", "-1", "99999999999999999999", "secret123", "admin", "drmock-admin-1", "referer"])))
            }
            let f = pick(["json", "pjson", "html", "JSON", "xml", "", Self.randomString(&rng)])
            params.append(("f", f))
            var headers: [(name: String, value: String)] = [("host", pick(["127.0.0.1:1", "evil\"<host>", "", "[::1]:80", Self.randomString(&rng)]))]
            switch credential {
            case 0: params.append(("token", admin))
            case 1: params.append(("token", viewer))
            case 2: headers.append(("authorization", pick(["Bearer \(admin)", "Bearer", "Basic YWRtaW4=", "bearer \(viewer)", Self.randomString(&rng)])))
            case 3: params.append(("token", Self.randomString(&rng)))
            default: break
            }
            let inBody = rng.next() % 2 == 0
            let request = Request(method: pick(methods), path: path, query: inBody ? [] : params, form: inBody ? params : [],
                                  headers: headers)
            let response = service.respond(request)
            let label = "seed \(Self.seed) case \(i): \(request.method) \(path) \(params) \(headers)"
            #expect(response.status == 200 || response.status == 303, "\(label)")
            if response.status == 303 {
                // Redirects (the HTML directory's sign-in) stay on this server: no open redirect.
                let location = response.headers.first { $0.name.lowercased() == "location" }?.value ?? ""
                #expect(location.hasPrefix("/") && !location.hasPrefix("//") && !location.hasPrefix("/\\"), "\(label): Location \(location)")
            }
            let format = f.lowercased()
            if format == "json" || format == "pjson" || !["", "html"].contains(format) {
                guard let obj = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
                    Issue.record("not a JSON object: \(label)")
                    continue
                }
                if let e = obj["error"] as? [String: Any] {
                    #expect(obj.count == 1 && e["details"] is [String] && e["message"] is String, "\(label)")
                    #expect(e["code"] as? Int != 500, "\(label): \(obj)")
                } else if credential != 0 && !(credential == 2 && headers.last?.value == "Bearer \(admin)")
                            && !path.hasSuffix("/generateToken") {
                    leaks += 1
                    Issue.record("data without an admin token: \(label): \(obj)")
                }
            } else {
                let html = String(decoding: response.body, as: UTF8.self)
                #expect(html.hasPrefix("<!DOCTYPE html>"), "\(label)")
                #expect(!html.contains("<x-fuzz"), "\(label): markup from the request is not escaped")
                if credential != 0 && !(credential == 2 && headers.last?.value == "Bearer \(admin)") && !path.hasSuffix("/generateToken")
                    && !html.contains("<title>Error ") && response.status != 303 && !html.contains("id=\"sign-in-form\"") {
                    leaks += 1
                    Issue.record("an HTML page without an admin token: \(label): \(html)")
                }
            }
            if i % 500 == 0 { try h.advance(10 * 60_000) }   // let created jobs finish now and then
        }
        #expect(leaks == 0)
    }
}

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64), so a fuzz case can be replayed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E4B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
