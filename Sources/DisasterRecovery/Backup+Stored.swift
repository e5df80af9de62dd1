import FoundationEssentials

/// A fast path for reading the catalog's backup records at start-up.
///
/// `JSONDecoder` spends about 25 µs on each stored backup (its generic keyed containers), which
/// made a catalog of 10,000 backups take seconds to open. This reads the records the catalog
/// writes (plain JSON objects) straight into a ``Backup``, field by field, without an intermediate
/// tree. It accepts only what it is sure of: any record it cannot read exactly as `JSONDecoder`
/// would (a missing, duplicate, unknown or null key, a number that is not a plain integer, anything
/// unusual) gives nil, and the caller decodes that record with `JSONDecoder`, so the result and the
/// errors are the same as before. A restore's `captured` state is handed to `JSONDecoder` on its own.
///
/// Values shared by a catalog's backups (the release, the cluster's geodatabases, system databases
/// and buckets, a captured state byte for byte the same) are kept once: a value read with the same
/// bytes as the previous backup's reuses that backup's storage, so a big catalog costs less memory.
extension Backup {
    init?(storedJSON body: String) {
        var sharing = StoredBackupSharing()
        self.init(storedJSON: body, sharing: &sharing)
    }

    /// `sharing` carries the previous backup read, whose equal values this one shares.
    init?(storedJSON body: String, sharing: inout StoredBackupSharing) {
        var body = body
        let read: Backup? = body.withUTF8 { bytes in
            var reader = StoredBackupReader(bytes: bytes)
            guard let b = reader.backup(&sharing) else { return nil }
            reader.skipSpace()
            return reader.position == bytes.count ? b : nil
        }
        guard let read else { return nil }
        sharing.previous = read
        self = read
    }
}

/// What one backup read leaves for the next (see ``Backup/init(storedJSON:sharing:)``).
struct StoredBackupSharing {
    var previous: Backup?
    var capturedBytes: [UInt8] = []
    var captured: SurfaceState?
}

/// A strict reader of one stored backup's UTF-8 JSON text; nil for anything it does not accept.
struct StoredBackupReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    // MARK: - The backup

    mutating func backup(_ sharing: inout StoredBackupSharing) -> Backup? {
        let prev = sharing.previous
        var release = "", siteName = "", description = "", backupStore = "", encryptKey = "", backupType = ""
        var scheduleType = "", namespace = "", category = "", backupName = "", status = "", passcodeHash = ""
        var completeTime: Int64 = 0, retentionDate: Int64 = 0, startTime: Int64 = 0
        var relationalStore: [Backup.RelationalStorePart] = [], objectStore: [Backup.ObjectStorePart] = []
        var infrastructures = Backup.Infrastructures(startTime: 0, endTime: 0, status: "")
        var captured: SurfaceState? = nil
        var detachedVolume: String? = nil
        let required: UInt32 = (1 << 18) - 1   // bits 0...17: every key but captured and detachedVolume
        var seen = SeenKeys()
        let ok = members { r, key in
            func text(_ bit: Int, _ out: inout String, _ shared: String?) -> Bool {
                guard seen.first(bit), let s = r.string(sharing: shared) else { return false }
                out = s
                return true
            }
            func int(_ bit: Int, _ out: inout Int64) -> Bool {
                guard seen.first(bit), let i = r.integer() else { return false }
                out = i
                return true
            }
            switch Key(key) {
            case .release: return text(0, &release, prev?.release)
            case .siteName: return text(1, &siteName, prev?.siteName)
            case .description: return text(2, &description, nil)
            case .completeTime: return int(3, &completeTime)
            case .backupStore: return text(4, &backupStore, prev?.backupStore)
            case .retentionDate: return int(5, &retentionDate)
            case .encryptKey: return text(6, &encryptKey, nil)
            case .backupType: return text(7, &backupType, prev?.backupType)
            case .relationalStore:
                guard seen.first(8), let parts = r.array({ r, i in r.relationalPart(shared: prev?.relationalStore.element(i)) }) else { return false }
                relationalStore = parts
                return true
            case .scheduleType: return text(9, &scheduleType, prev?.scheduleType)
            case .objectStore:
                guard seen.first(10), let parts = r.array({ r, i in r.objectPart(shared: prev?.objectStore.element(i)) }) else { return false }
                objectStore = parts
                return true
            case .namespace: return text(11, &namespace, prev?.namespace)
            case .startTime: return int(12, &startTime)
            case .infrastructures:
                guard seen.first(13), let infra = r.infrastructures(shared: prev?.infrastructures) else { return false }
                infrastructures = infra
                return true
            case .category: return text(14, &category, prev?.category)
            case .backupName: return text(15, &backupName, nil)
            case .status: return text(16, &status, prev?.status)
            case .passcodeHash: return text(17, &passcodeHash, nil)
            case .captured:
                guard seen.first(20), let range = r.skipValue(), r.bytes[range.lowerBound] == UInt8(ascii: "{") else { return false }
                let raw = UnsafeBufferPointer(rebasing: r.bytes[range])
                if sharing.captured != nil, sharing.capturedBytes.withUnsafeBufferPointer({ sameBytes($0, raw) }) {
                    captured = sharing.captured
                } else {
                    guard let state = try? JSONDecoder().decode(SurfaceState.self, from: Data(raw)) else { return false }
                    captured = state
                    sharing.captured = state
                    sharing.capturedBytes = Array(raw)
                }
                return true
            case .detachedVolume:
                guard seen.first(21), let s = r.string(sharing: nil) else { return false }
                detachedVolume = s
                return true
            default: return false
            }
        }
        guard ok, seen.bits & required == required else { return nil }
        return Backup(release: release, siteName: siteName, description: description, completeTime: completeTime,
                      backupStore: backupStore, retentionDate: retentionDate, encryptKey: encryptKey, backupType: backupType,
                      relationalStore: relationalStore, scheduleType: scheduleType, objectStore: objectStore,
                      namespace: namespace, startTime: startTime, infrastructures: infrastructures, category: category,
                      backupName: backupName, status: status, passcodeHash: passcodeHash, captured: captured,
                      detachedVolume: detachedVolume)
    }

    private mutating func relationalPart(shared: Backup.RelationalStorePart?) -> Backup.RelationalStorePart? {
        var metadata = "", clusterID = "", status = ""
        var geodatabases: [Backup.Geodatabase] = [], systemDatabases: [String] = []
        var startTime: Int64 = 0, endTime: Int64 = 0
        var seen = SeenKeys()
        let ok = members { r, key in
            switch Key(key) {
            case .metadata: guard seen.first(0), let s = r.string(sharing: shared?.metadata) else { return false }; metadata = s
            case .geodatabases:
                guard seen.first(1), let g = r.array({ r, i in r.geodatabase(shared: shared?.geodatabases.element(i)) }) else { return false }
                geodatabases = Self.shared(g, shared?.geodatabases)
            case .systemDatabases:
                guard seen.first(2), let s = r.strings(shared: shared?.systemDatabases) else { return false }; systemDatabases = s
            case .startTime: guard seen.first(3), let i = r.integer() else { return false }; startTime = i
            case .clusterID: guard seen.first(4), let s = r.string(sharing: shared?.clusterID) else { return false }; clusterID = s
            case .endTime: guard seen.first(5), let i = r.integer() else { return false }; endTime = i
            case .status: guard seen.first(6), let s = r.string(sharing: shared?.status) else { return false }; status = s
            default: return false
            }
            return true
        }
        guard ok, seen.bits == (1 << 7) - 1 else { return nil }
        return .init(metadata: metadata, geodatabases: geodatabases, systemDatabases: systemDatabases, startTime: startTime,
                     clusterID: clusterID, endTime: endTime, status: status)
    }

    private mutating func objectPart(shared: Backup.ObjectStorePart?) -> Backup.ObjectStorePart? {
        var metadata = "", clusterID = "", status = ""
        var buckets: [String] = []
        var startTime: Int64 = 0, endTime: Int64 = 0
        var seen = SeenKeys()
        let ok = members { r, key in
            switch Key(key) {
            case .metadata: guard seen.first(0), let s = r.string(sharing: shared?.metadata) else { return false }; metadata = s
            case .buckets: guard seen.first(1), let s = r.strings(shared: shared?.buckets) else { return false }; buckets = s
            case .startTime: guard seen.first(2), let i = r.integer() else { return false }; startTime = i
            case .clusterID: guard seen.first(3), let s = r.string(sharing: shared?.clusterID) else { return false }; clusterID = s
            case .endTime: guard seen.first(4), let i = r.integer() else { return false }; endTime = i
            case .status: guard seen.first(5), let s = r.string(sharing: shared?.status) else { return false }; status = s
            default: return false
            }
            return true
        }
        guard ok, seen.bits == (1 << 6) - 1 else { return nil }
        return .init(metadata: metadata, buckets: buckets, startTime: startTime, clusterID: clusterID, endTime: endTime, status: status)
    }

    private mutating func infrastructures(shared: Backup.Infrastructures?) -> Backup.Infrastructures? {
        var startTime: Int64 = 0, endTime: Int64 = 0, status = ""
        var seen = SeenKeys()
        let ok = members { r, key in
            switch Key(key) {
            case .startTime: guard seen.first(0), let i = r.integer() else { return false }; startTime = i
            case .endTime: guard seen.first(1), let i = r.integer() else { return false }; endTime = i
            case .status: guard seen.first(2), let s = r.string(sharing: shared?.status) else { return false }; status = s
            default: return false
            }
            return true
        }
        guard ok, seen.bits == (1 << 3) - 1 else { return nil }
        return .init(startTime: startTime, endTime: endTime, status: status)
    }

    private mutating func geodatabase(shared: Backup.Geodatabase?) -> Backup.Geodatabase? {
        var gdbName = "", egdbID = ""
        var seen = SeenKeys()
        let ok = members { r, key in
            switch Key(key) {
            case .gdbName: guard seen.first(0), let s = r.string(sharing: shared?.gdbName) else { return false }; gdbName = s
            case .egdbID: guard seen.first(1), let s = r.string(sharing: shared?.egdbID) else { return false }; egdbID = s
            default: return false
            }
            return true
        }
        guard ok, seen.bits == 3 else { return nil }
        return .init(gdbName: gdbName, egdbID: egdbID)
    }

    /// `fresh` itself, or `old` when every string is the same byte for byte (then the array is shared).
    private static func shared(_ fresh: [Backup.Geodatabase], _ old: [Backup.Geodatabase]?) -> [Backup.Geodatabase] {
        guard let old, old.count == fresh.count,
              zip(old, fresh).allSatisfy({ sameBytes($0.gdbName, $1.gdbName) && sameBytes($0.egdbID, $1.egdbID) }) else { return fresh }
        return old
    }

    private mutating func strings(shared: [String]?) -> [String]? {
        guard let fresh = array({ r, i in r.string(sharing: shared?.element(i)) }) else { return nil }
        guard let old = shared, old.count == fresh.count, zip(old, fresh).allSatisfy({ sameBytes($0, $1) }) else { return fresh }
        return old
    }

    // MARK: - JSON syntax

    /// The keys a stored backup has.
    enum Key {
        case release, siteName, description, completeTime, backupStore, retentionDate, encryptKey, backupType
        case relationalStore, scheduleType, objectStore, namespace, startTime, infrastructures, category
        case backupName, status, passcodeHash, captured, detachedVolume
        case metadata, geodatabases, systemDatabases, clusterID, endTime, buckets, gdbName, egdbID
        case unknown

        static let names: [(Key, StaticString)] = [
            (.release, "release"), (.siteName, "siteName"), (.description, "description"), (.completeTime, "completeTime"),
            (.backupStore, "backupStore"), (.retentionDate, "retentionDate"), (.encryptKey, "encryptKey"),
            (.backupType, "backupType"), (.relationalStore, "relationalStore"), (.scheduleType, "scheduleType"),
            (.objectStore, "objectStore"), (.namespace, "namespace"), (.startTime, "startTime"),
            (.infrastructures, "infrastructures"), (.category, "category"), (.backupName, "backupName"),
            (.status, "status"), (.passcodeHash, "passcodeHash"), (.captured, "captured"), (.detachedVolume, "detachedVolume"),
            (.metadata, "metadata"), (.geodatabases, "geodatabases"), (.systemDatabases, "systemDatabases"),
            (.clusterID, "clusterID"), (.endTime, "endTime"), (.buckets, "buckets"), (.gdbName, "gdbName"), (.egdbID, "egdbID"),
        ]

        /// The names by their length, so a key is compared only with names as long as it.
        static let byLength: [[(Key, StaticString)]] = {
            var table = Array(repeating: [(Key, StaticString)](), count: 17)
            for entry in names { table[entry.1.utf8CodeUnitCount].append(entry) }
            return table
        }()

        init(_ key: UnsafeBufferPointer<UInt8>) {
            guard key.count < Self.byLength.count else { self = .unknown; return }
            for (k, name) in Self.byLength[key.count] where name.utf8CodeUnitCount == key.count
                && sameBytes(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount), key) {
                self = k
                return
            }
            self = .unknown
        }
    }

    mutating func skipSpace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0a, 0x0d, 0x09: position += 1
            default: return
            }
        }
    }

    /// Skips spaces, then consumes `byte` if it comes next.
    private mutating func consume(_ byte: UInt8) -> Bool {
        skipSpace()
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    /// An object whose keys have no escapes; `member` reads each value (false: refused).
    private mutating func members(_ member: (inout StoredBackupReader, UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
        guard consume(UInt8(ascii: "{")) else { return false }
        if consume(UInt8(ascii: "}")) { return true }
        while true {
            guard consume(UInt8(ascii: "\"")) else { return false }
            let start = position
            while position < bytes.count, bytes[position] != UInt8(ascii: "\""), bytes[position] != UInt8(ascii: "\\"), bytes[position] >= 0x20 {
                position += 1
            }
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return false }
            let key = UnsafeBufferPointer(rebasing: bytes[start..<position])
            position += 1
            guard consume(UInt8(ascii: ":")), member(&self, key) else { return false }
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "}"))
        }
    }

    /// An array; `item` reads the element at each index.
    private mutating func array<T>(_ item: (inout StoredBackupReader, Int) -> T?) -> [T]? {
        guard consume(UInt8(ascii: "[")) else { return nil }
        var items: [T] = []
        if consume(UInt8(ascii: "]")) { return items }
        while true {
            guard let value = item(&self, items.count) else { return nil }
            items.append(value)
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "]")) ? items : nil
        }
    }

    /// `-?(0|[1-9][0-9]*)` that fits an Int64 and is not followed by a fraction or exponent.
    mutating func integer() -> Int64? {
        skipSpace()
        guard position < bytes.count else { return nil }
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        let digitsStart = position
        var magnitude: UInt64 = 0
        while position < bytes.count, bytes[position] >= 48, bytes[position] <= 57 {
            let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(bytes[position] - 48))
            guard !o1, !o2 else { return nil }
            magnitude = a
            position += 1
        }
        let digits = position - digitsStart
        guard digits > 0, !(digits > 1 && bytes[digitsStart] == 48) else { return nil }
        if position < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[position]) { return nil }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    /// A string; `shared` itself when its UTF-8 bytes are the same (no new storage).
    mutating func string(sharing shared: String?) -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = position
        // Fast: no escapes.
        while position < bytes.count {
            let b = bytes[position]
            if b == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: bytes[start..<position])
                position += 1
                if let shared, shared.utf8.count == raw.count,
                   shared.utf8.withContiguousStorageIfAvailable({ sameBytes($0, raw) }) == true { return shared }
                return String(decoding: raw, as: UTF8.self)
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { break }
            position += 1
        }
        // Slow: escapes.
        var out = Array(bytes[start..<position])
        while position < bytes.count {
            let b = bytes[position]
            position += 1
            switch b {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case 0..<0x20: return nil
            case UInt8(ascii: "\\"):
                guard position < bytes.count else { return nil }
                let e = bytes[position]
                position += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0c)
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard let unit = hex4() else { return nil }
                    var scalar: Unicode.Scalar?
                    if (0xD800...0xDBFF).contains(unit) {
                        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else { return nil }
                        position += 2
                        guard let low = hex4(), (0xDC00...0xDFFF).contains(low) else { return nil }
                        scalar = Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                    } else {
                        scalar = Unicode.Scalar(unit)   // nil for a lone low surrogate
                    }
                    guard let scalar else { return nil }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: return nil
                }
            default: out.append(b)
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard position + 4 <= bytes.count else { return nil }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[position]
            position += 1
            switch c {
            case 48...57: v = v << 4 | UInt32(c - 48)
            case 97...102: v = v << 4 | UInt32(c - 87)
            case 65...70: v = v << 4 | UInt32(c - 55)
            default: return nil
            }
        }
        return v
    }

    /// Skips one JSON value (checked loosely: whoever reads its bytes checks them again); its range.
    mutating func skipValue(depth: Int = 0) -> Range<Int>? {
        skipSpace()
        guard position < bytes.count, depth < 64 else { return nil }
        let start = position
        switch bytes[position] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = bytes[position] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            let isObject = close == UInt8(ascii: "}")
            position += 1
            if consume(close) { return start..<position }
            while true {
                if isObject {
                    guard string(sharing: nil) != nil, consume(UInt8(ascii: ":")) else { return nil }
                }
                guard skipValue(depth: depth + 1) != nil else { return nil }
                if consume(UInt8(ascii: ",")) { continue }
                return consume(close) ? start..<position : nil
            }
        case UInt8(ascii: "\""):
            return string(sharing: nil) != nil ? start..<position : nil
        default:
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), 48...57, 97...122, 65...90: position += 1
                default: return position > start ? start..<position : nil
                }
            }
            return position > start ? start..<position : nil
        }
    }
}

/// Which keys of an object were read, a bit each: a key given twice is refused.
struct SeenKeys {
    var bits: UInt32 = 0

    /// True the first time `bit` is seen.
    mutating func first(_ bit: Int) -> Bool {
        guard bits & (1 << bit) == 0 else { return false }
        bits |= 1 << bit
        return true
    }
}

private func sameBytes(_ a: String, _ b: String) -> Bool {
    guard a.utf8.count == b.utf8.count else { return false }
    return a.utf8.withContiguousStorageIfAvailable { x in b.utf8.withContiguousStorageIfAvailable { y in sameBytes(x, y) } } == true
}

private func sameBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    for i in 0..<a.count where a[i] != b[i] { return false }
    return true
}

extension Array {
    /// The element at `i`, or nil past the end.
    fileprivate func element(_ i: Int) -> Element? { i < count ? self[i] : nil }
}
