import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        guard let read = body.withUTF8({ Backup(storedBytes: $0, sharing: &sharing) }) else { return nil }
        self = read
    }

    /// Like ``init(storedJSON:sharing:)``, from the record's UTF-8 bytes.
    init?(storedBytes bytes: UnsafeBufferPointer<UInt8>, sharing: inout StoredBackupSharing) {
        guard let b = Self.stored(bytes, sharing: &sharing) else { return nil }
        self = b
    }

    /// Like ``init(storedBytes:sharing:)``, the backup handed back as it was made (not unwrapped
    /// and copied into a new value: a copy retains and releases its 20 references).
    static func stored(_ bytes: UnsafeBufferPointer<UInt8>, sharing: inout StoredBackupSharing) -> Backup? {
        var reader = StoredBackupReader(bytes: bytes)
        let b = reader.backup(&sharing)
        reader.skipSpace()
        return reader.position == bytes.count ? b : nil
    }
}

/// What one backup read leaves for the next (see ``Backup/init(storedJSON:sharing:)``).
struct StoredBackupSharing {
    /// The previous backup's values that the next one may share (not the whole ``Backup``: copying
    /// that for every row cost more than reading it).
    struct Previous {
        var release = "", siteName = "", backupStore = "", encryptKey = "", backupType = ""
        var scheduleType = "", namespace = "", category = "", status = "", passcodeHash = ""
        var relationalStore: [Backup.RelationalStorePart] = [], objectStore: [Backup.ObjectStorePart] = []
        var infrastructuresStatus = ""
    }
    var previous = Previous()
    var capturedBytes: [UInt8] = []
    var captured: RestorableState?
}

/// A strict reader of one stored backup's UTF-8 JSON text; nil for anything it does not accept.
struct StoredBackupReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    // MARK: - The backup

    mutating func backup(_ sharing: inout StoredBackupSharing) -> Backup? {
        // The values a backup usually shares with the previous one are read into `sharing.previous`
        // in place (kept when their bytes are the same), and the backup is made from there.
        var description = "", backupName = ""
        var completeTime: Int64 = 0, retentionDate: Int64 = 0, startTime: Int64 = 0
        var relationalStore: [Backup.RelationalStorePart] = [], objectStore: [Backup.ObjectStorePart] = []
        var infrastructures = Backup.Infrastructures(startTime: 0, endTime: 0, status: "")
        var captured: RestorableState? = nil
        var detachedVolume: String? = nil
        let required: UInt32 = (1 << 18) - 1   // bits 0...17: every key but captured and detachedVolume
        var seen = SeenKeys()
        // Moved out of `sharing` for the read (and back after it), so that the closure below works on
        // a local variable: no exclusivity check at run time for each value read into it.
        var previous = StoredBackupSharing.Previous()
        swap(&previous, &sharing.previous)
        defer { swap(&previous, &sharing.previous) }
        // No local functions here: a variable they capture (`seen`) would be checked for exclusive
        // access at run time on every use.
        let ok = members { r, key in
            switch Key(key) {
            case .release: return seen.first(0) && r.string(into: &previous.release)
            case .siteName: return seen.first(1) && r.string(into: &previous.siteName)
            case .description:
                guard seen.first(2), let s = r.string(sharing: nil) else { return false }
                description = s
                return true
            case .completeTime:
                guard seen.first(3), let i = r.integer() else { return false }
                completeTime = i
                return true
            case .backupStore: return seen.first(4) && r.string(into: &previous.backupStore)
            case .retentionDate:
                guard seen.first(5), let i = r.integer() else { return false }
                retentionDate = i
                return true
            case .encryptKey: return seen.first(6) && r.string(into: &previous.encryptKey)
            case .backupType: return seen.first(7) && r.string(into: &previous.backupType)
            case .relationalStore:
                guard seen.first(8), let parts = r.array(expecting: previous.relationalStore.count, { r, i in r.relationalPart(shared: previous.relationalStore.element(i)) }) else { return false }
                relationalStore = parts
                return true
            case .scheduleType: return seen.first(9) && r.string(into: &previous.scheduleType)
            case .objectStore:
                guard seen.first(10), let parts = r.array(expecting: previous.objectStore.count, { r, i in r.objectPart(shared: previous.objectStore.element(i)) }) else { return false }
                objectStore = parts
                return true
            case .namespace: return seen.first(11) && r.string(into: &previous.namespace)
            case .startTime:
                guard seen.first(12), let i = r.integer() else { return false }
                startTime = i
                return true
            case .infrastructures:
                guard seen.first(13), let infra = r.infrastructures(sharedStatus: &previous.infrastructuresStatus) else { return false }
                infrastructures = infra
                return true
            case .category: return seen.first(14) && r.string(into: &previous.category)
            case .backupName:
                guard seen.first(15), let s = r.string(sharing: nil) else { return false }
                backupName = s
                return true
            case .status: return seen.first(16) && r.string(into: &previous.status)
            case .passcodeHash: return seen.first(17) && r.string(into: &previous.passcodeHash)
            case .captured:
                guard seen.first(20), let range = r.skipValue(), r.bytes[range.lowerBound] == UInt8(ascii: "{") else { return false }
                let raw = UnsafeBufferPointer(rebasing: r.bytes[range])
                if sharing.captured != nil, sharing.capturedBytes.withUnsafeBufferPointer({ sameBytes($0, raw) }) {
                    captured = sharing.captured
                } else {
                    guard let state = try? JSONDecoder().decode(RestorableState.self, from: Data(raw)) else { return false }
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
        previous.relationalStore = relationalStore
        previous.objectStore = objectStore
        let p = previous
        return Backup(release: p.release, siteName: p.siteName, description: description, completeTime: completeTime,
                      backupStore: p.backupStore, retentionDate: retentionDate, encryptKey: p.encryptKey, backupType: p.backupType,
                      relationalStore: relationalStore, scheduleType: p.scheduleType, objectStore: objectStore,
                      namespace: p.namespace, startTime: startTime, infrastructures: infrastructures, category: p.category,
                      backupName: backupName, status: p.status, passcodeHash: p.passcodeHash, captured: captured,
                      detachedVolume: detachedVolume)
    }

    /// A part read in place over a copy of `shared` (the previous backup's part at the same index):
    /// values with the same bytes keep their storage.
    private mutating func relationalPart(shared: Backup.RelationalStorePart?) -> Backup.RelationalStorePart? {
        var part = shared ?? .init(metadata: "", geodatabases: [], systemDatabases: [], startTime: 0, clusterID: "", endTime: 0, status: "")
        var seen = SeenKeys()
        let ok = members { r, key in
            switch Key(key) {
            case .metadata: return seen.first(0) && r.string(into: &part.metadata)
            case .geodatabases:
                guard seen.first(1), let g = r.sharedArray(part.geodatabases, { r, old in r.geodatabase(shared: old) },
                                                          same: { sameBytes($0.gdbName, $1.gdbName) && sameBytes($0.egdbID, $1.egdbID) }) else { return false }
                part.geodatabases = g
            case .systemDatabases:
                guard seen.first(2), let s = r.strings(shared: part.systemDatabases) else { return false }
                part.systemDatabases = s
            case .startTime: guard seen.first(3), let i = r.integer() else { return false }; part.startTime = i
            case .clusterID: return seen.first(4) && r.string(into: &part.clusterID)
            case .endTime: guard seen.first(5), let i = r.integer() else { return false }; part.endTime = i
            case .status: return seen.first(6) && r.string(into: &part.status)
            default: return false
            }
            return true
        }
        guard ok, seen.bits == (1 << 7) - 1 else { return nil }
        return part
    }

    /// Like ``relationalPart(shared:)``.
    private mutating func objectPart(shared: Backup.ObjectStorePart?) -> Backup.ObjectStorePart? {
        var part = shared ?? .init(metadata: "", buckets: [], startTime: 0, clusterID: "", endTime: 0, status: "")
        var seen = SeenKeys()
        let ok = members { r, key in
            switch Key(key) {
            case .metadata: return seen.first(0) && r.string(into: &part.metadata)
            case .buckets: guard seen.first(1), let s = r.strings(shared: part.buckets) else { return false }; part.buckets = s
            case .startTime: guard seen.first(2), let i = r.integer() else { return false }; part.startTime = i
            case .clusterID: return seen.first(3) && r.string(into: &part.clusterID)
            case .endTime: guard seen.first(4), let i = r.integer() else { return false }; part.endTime = i
            case .status: return seen.first(5) && r.string(into: &part.status)
            default: return false
            }
            return true
        }
        guard ok, seen.bits == (1 << 6) - 1 else { return nil }
        return part
    }

    /// `status` is read into `sharedStatus` in place (kept when its bytes are the same).
    private mutating func infrastructures(sharedStatus: inout String) -> Backup.Infrastructures? {
        var startTime: Int64 = 0, endTime: Int64 = 0
        var seen = SeenKeys()
        let ok = members { r, key in
            switch Key(key) {
            case .startTime: guard seen.first(0), let i = r.integer() else { return false }; startTime = i
            case .endTime: guard seen.first(1), let i = r.integer() else { return false }; endTime = i
            case .status: guard seen.first(2), r.string(into: &sharedStatus) else { return false }
            default: return false
            }
            return true
        }
        guard ok, seen.bits == (1 << 3) - 1 else { return nil }
        return .init(startTime: startTime, endTime: endTime, status: sharedStatus)
    }

    private mutating func geodatabase(shared: Backup.Geodatabase?) -> Backup.Geodatabase? {
        var g = shared ?? .init(gdbName: "", egdbID: "")
        var seen = SeenKeys()
        let ok = members { r, key in
            switch Key(key) {
            case .gdbName: return seen.first(0) && r.string(into: &g.gdbName)
            case .egdbID: return seen.first(1) && r.string(into: &g.egdbID)
            default: return false
            }
        }
        guard ok, seen.bits == 3 else { return nil }
        return g
    }

    /// An array of strings: `old` itself when every string has the bytes of its one there (then no
    /// string and no array is made; the common case: every backup has the same system databases
    /// and buckets). Compared where the strings lie, before any is made.
    private mutating func strings(shared old: [String]) -> [String]? {
        sharedElements(old) { r, i, fresh in
            guard r.consume(UInt8(ascii: "\"")) else { return false }
            let start = r.position
            if r.scanPlain() {
                let raw = UnsafeBufferPointer(rebasing: r.bytes[start..<r.position])
                r.position += 1
                if fresh == nil, i < old.count, sameBytes(old[i], raw) { return true }   // old's: nothing to make
                Self.append(String(decoding: raw, as: UTF8.self), to: &fresh, after: old, i)
                return true
            }
            r.position = start - 1
            guard let s = r.string(sharing: nil) else { return false }
            Self.append(s, to: &fresh, after: old, i)
            return true
        }
    }

    /// An array read by `item` (given `old`'s element at the same index, to share): `old` itself
    /// when every element read is the `same` as its one there (then no new array is made at all).
    private mutating func sharedArray<T>(_ old: [T], _ item: (inout StoredBackupReader, T?) -> T?, same: (T, T) -> Bool) -> [T]? {
        sharedElements(old) { r, i, fresh in
            let prior = i < old.count ? old[i] : nil
            guard let value = item(&r, prior) else { return false }
            if fresh != nil || prior == nil || !same(prior!, value) { Self.append(value, to: &fresh, after: old, i) }
            return true
        }
    }

    /// An array read against `old` (the previous backup's at the same place): `element` reads the
    /// element at each index and, from the first that differs from old's on, appends it to `fresh`
    /// (see ``append(_:to:after:_:)``). `old` itself if none differed and there are as many.
    private mutating func sharedElements<T>(_ old: [T], _ element: (inout StoredBackupReader, Int, inout [T]?) -> Bool) -> [T]? {
        guard consume(UInt8(ascii: "[")) else { return nil }
        var fresh: [T]? = nil   // made only once an element differs from old's (or old is shorter)
        var count = 0
        if !consume(UInt8(ascii: "]")) {
            while true {
                guard element(&self, count, &fresh) else { return nil }
                count += 1
                if consume(UInt8(ascii: ",")) { continue }
                guard consume(UInt8(ascii: "]")) else { return nil }
                break
            }
        }
        if let fresh { return fresh }
        return count == old.count ? old : Array(old[0..<count])
    }

    /// Appends `value`, the element at `index`, to `fresh`, made first (if it is not yet) from
    /// `old`'s elements before `index`.
    private static func append<T>(_ value: T, to fresh: inout [T]?, after old: [T], _ index: Int) {
        if fresh == nil {
            var made = Array(old[0..<index])
            made.reserveCapacity(Swift.max(old.count, index + 1))
            fresh = made
        }
        fresh!.append(value)
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

func sameBytes(_ a: String, _ b: String) -> Bool {
    guard a.utf8.count == b.utf8.count else { return false }
    return a.utf8.withContiguousStorageIfAvailable { x in sameBytes(b, x) } == true
}

/// Whether `a`'s UTF-8 bytes are `b`.
func sameBytes(_ a: String, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    guard a.utf8.count == b.count else { return false }
    return a.utf8.withContiguousStorageIfAvailable { sameBytes($0, b) } == true
}

/// Up to 16 bytes compared as two words that overlap (most values are that short), longer with memcmp.
@inline(__always)
func sameBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
    let n = a.count
    guard n == b.count else { return false }
    guard let x = a.baseAddress, let y = b.baseAddress else { return n == 0 }
    let p = UnsafeRawPointer(x), q = UnsafeRawPointer(y)
    if n >= 8 {
        guard n <= 16 else { return memcmp(x, y, n) == 0 }
        return p.loadUnaligned(as: UInt64.self) == q.loadUnaligned(as: UInt64.self)
            && p.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == q.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
    }
    if n >= 4 {
        return p.loadUnaligned(as: UInt32.self) == q.loadUnaligned(as: UInt32.self)
            && p.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self) == q.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
    }
    for i in 0..<n where x[i] != y[i] { return false }
    return true
}

extension Array {
    /// The element at `i`, or nil past the end.
    fileprivate func element(_ i: Int) -> Element? { i < count ? self[i] : nil }
}
