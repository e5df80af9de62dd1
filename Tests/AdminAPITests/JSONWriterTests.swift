import DisasterRecovery
import HTTPServer
import Testing
@testable import AdminAPI

/// The backup list written directly gives the very bytes the JSONValue tree serializes to: both come
/// from the one description of the shape (``Backup/write(to:)``, to bytes and to a value), so this holds
/// JSONValueBuilder and JSONValue's serializer (json and pjson of one backup) to the writer's (the lists),
/// byte for byte.
@Suite struct JSONWriterTests {
    func fixtureBackups() throws -> [Backup] {
        let root = String(#filePath).components(separatedBy: "/Tests/").first!
        return try FixtureLocator.load(root + "/fixtures/default.json").backups.map(\.backup)
    }

    func tree(_ backups: [Backup], pretty: Bool) -> [UInt8] {
        let value: JSONValue = ["backups": .array(backups.map(\.json))]
        return value.serialized(pretty: pretty)
    }

    @Test(arguments: [false, true])
    func listsAreTheSameBytes(pretty: Bool) throws {
        let fixture = try fixtureBackups()
        var odd = fixture[0]
        odd.description = "quote \" backslash \\ slash / nl \n tab \t cr \r ctl \u{1} del \u{7f} é ☃ 😀 \u{301}"
        odd.backupName = "x\"y<é>"
        odd.completeTime = Int64.min
        odd.retentionDate = -1
        odd.startTime = Int64.max
        odd.relationalStore = []
        odd.objectStore[0].buckets = []
        var many = fixture[1]
        many.relationalStore += many.relationalStore
        many.relationalStore[1].geodatabases = []
        many.relationalStore[0].geodatabases += many.relationalStore[0].geodatabases
        many.relationalStore[0].systemDatabases = []
        many.objectStore += many.objectStore
        many.description = ""
        for list in [[], [fixture[0]], fixture, [odd], [many, odd] + fixture + [many]] {
            let written = Backup.listAnswer(list, pretty: pretty)
            #expect(written == tree(list, pretty: pretty))
        }
    }

    /// Strings with a character to escape at every offset (the writer checks eight bytes at a time)
    /// and integers of every length give the tree's bytes too.
    @Test(arguments: [false, true])
    func escapesAtEveryOffsetAndIntegersOfEveryLength(pretty: Bool) throws {
        var b = try fixtureBackups()[0]
        var list: [Backup] = []
        for special in ["\"", "\\", "\n", "\u{1}", "\u{1f}", "\u{7f}", "é", "☃", " ", "~"] {
            for offset in 0..<20 {
                b.description = String(repeating: "a", count: offset) + special + String(repeating: "b", count: offset % 9)
                b.backupName = special + String(repeating: "c", count: offset)
                list.append(b)
            }
        }
        var power: Int64 = 1
        for _ in 0..<19 {
            for v in [power - 1, power, power + 1, -power, -(power - 1)] {
                b.completeTime = v
                b.startTime = -v
                list.append(b)
            }
            if power <= Int64.max / 10 { power *= 10 }
        }
        b.completeTime = .max
        b.startTime = .min
        list.append(b)
        #expect(Backup.listAnswer(list, pretty: pretty) == tree(list, pretty: pretty))
    }

    /// Streamed in pieces (as libmicrohttpd asks for them), the list is the same bytes again, and the
    /// pieces are about ``BodyStream/blockSize`` each.
    @Test(arguments: [false, true])
    func streamedPiecesMakeTheSameBytes(pretty: Bool) throws {
        let fixture = try fixtureBackups()
        var big: [Backup] = []
        for i in 0..<300 {
            var b = fixture[i % 2]
            b.backupName = "piece-\(i)"
            b.description = String(repeating: "é\"", count: i % 7)
            big.append(b)
        }
        for list in [[], [fixture[0]], fixture, big] {
            let produce = BackupList(list, pretty: pretty).stream.start()
            var all: [UInt8] = []
            var pieces = 0
            var more = true
            while more {
                var piece: [UInt8] = []
                more = produce(&piece)
                #expect(piece.count < BodyStream.blockSize + 4096)
                #expect(more ? piece.count >= BodyStream.blockSize : true)
                all += piece
                pieces += 1
            }
            #expect(all == tree(list, pretty: pretty))
            #expect(all == Backup.listAnswer(list, pretty: pretty))
            if list.count == 300 { #expect(pieces > 3) }
        }
    }

    /// The list tests compare the writer with the tree, which now share the writer's escaper and
    /// digits: here both are checked against the rules written out plainly, byte by byte.
    @Test func stringsAndIntegersFollowThePlainRules() {
        func plain(_ s: String) -> [UInt8] {
            var out: [UInt8] = [34]
            for b in s.utf8 {
                switch b {
                case 34: out += [92, 34]
                case 92: out += [92, 92]
                case 0x0a: out += Array("\\n".utf8)
                case 0x0d: out += Array("\\r".utf8)
                case 0x09: out += Array("\\t".utf8)
                case 0..<0x20, 0x7f:
                    let hex = Array("0123456789abcdef".utf8)
                    out += Array("\\u00".utf8) + [hex[Int(b >> 4)], hex[Int(b & 15)]]
                default: out.append(b)
                }
            }
            return out + [34]
        }
        var texts = (0..<0x80).map { String(UnicodeScalar(UInt8($0))) } + ["é", "☃", "😀", "e\u{301}", ""]
        for offset in 0..<20 {
            for special in ["\"", "\\", "\n", "\u{1}", "\u{7f}", "é"] {
                texts.append(String(repeating: "a", count: offset) + special + String(repeating: "b", count: offset % 9))
            }
        }
        for t in texts {
            #expect(JSONValue.string(t).serialized() == plain(t), "\(Array(t.utf8))")
            #expect(JSONValue.object([(t, .null)]).serialized() == [UInt8(ascii: "{")] + plain(t) + Array(":null}".utf8))
        }
        var ints: [Int64] = [0, Int64.min, Int64.max]
        var power: Int64 = 1
        for _ in 0..<19 {
            ints += [power - 1, power, power + 1, -power, -(power - 1)]
            if power <= Int64.max / 10 { power *= 10 }
        }
        for i in ints {
            #expect(JSONValue.int(i).serialized() == Array(String(i).utf8))
            if i.magnitude < 1_000_000_000_000_000 / 1000 { #expect(JSONValue.double(Double(i)).serialized() == Array(String(i).utf8)) }
        }
        #expect(JSONValue.double(1.5).serialized() == Array("1.5".utf8))
        #expect(JSONValue.double(.nan).serialized() == Array("null".utf8))
    }
}
