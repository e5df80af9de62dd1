import Catalog
import Crypto
import Synchronization

/// What a catalog remembers about the fixture file a context was last opened with (in the
/// context's profile): the digest of the file's bytes, salted with the build of drmock that decoded
/// and validated them, and the few values opening the context needs. When the same build starts
/// again on the same catalog with a file of the same digest, it needs not decode the file (about 15%
/// of the instructions from exec to the first answer, issue #11): ``FixtureSource/init(stamped:bytes:source:)``.
public struct FixtureStamp: Codable, Sendable, Equatable {
    /// SHA-256 of the build's identity and the file's bytes, in hex (``digest(of:build:)``).
    public var digest: String
    public var name: String
    public var release: String?
    public var onRestart: RestartPolicy?

    public init(digest: String, fixture: Fixture) {
        self.digest = digest
        name = fixture.name
        release = fixture.release
        onRestart = fixture.onRestart
    }

    /// The stamp a catalog holds for `context` (read field by field, without decoding the profile),
    /// or nil if it holds none.
    public static func stored(in catalog: DRCatalog, context: String) -> FixtureStamp? {
        let paths = ["$.fixtureStamp.digest", "$.fixtureStamp.name", "$.fixtureStamp.release", "$.fixtureStamp.onRestart"]
        guard let values = try? catalog.deploymentValues(context: context, jsonPaths: paths),
              let digest = values[0], let name = values[1] else { return nil }
        var onRestart: RestartPolicy?
        if let raw = values[3] {
            guard let policy = RestartPolicy(rawValue: raw) else { return nil }
            onRestart = policy
        }
        return FixtureStamp(digest: digest, name: name, release: values[2], onRestart: onRestart)
    }

    init(digest: String, name: String, release: String?, onRestart: RestartPolicy?) {
        self.digest = digest
        self.name = name
        self.release = release
        self.onRestart = onRestart
    }

    /// The digest of a fixture file's `bytes` for the build `build` (e.g. the executable's GNU build ID):
    /// a file that one build decoded is never taken on trust by another, whose decoding may differ.
    public static func digest(of bytes: [UInt8], build: [UInt8]) -> String {
        var hasher = SHA256()
        build.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return hasher.finalize().withUnsafeBytes { SecretHash.hex($0) }
    }
}

/// A fixture as a server holds it: decoded, or the bytes of a file whose ``FixtureStamp`` the catalog
/// already holds, decoded only when something needs more than its name, release and restart policy
/// (a context made from it, a reset, a snapshot).
public final class FixtureSource: Sendable {
    public let name: String
    public let release: String?
    public let onRestart: RestartPolicy?
    /// The file's stamp, when the fixture was read from a file whose digest is known.
    public let stamp: FixtureStamp?
    private let pending: (bytes: [UInt8], source: String)?
    private let decoded: Mutex<Fixture?>

    /// A decoded fixture, and the stamp of the file it was decoded from, if known.
    public init(_ fixture: Fixture, stamp: FixtureStamp? = nil) {
        name = fixture.name
        release = fixture.release
        onRestart = fixture.onRestart
        self.stamp = stamp
        pending = nil
        decoded = Mutex(fixture)
    }

    /// The file's `bytes` (read from `source`), not decoded yet: only for bytes whose `stamp` a catalog
    /// holds, i.e. that this build of drmock has already decoded and validated without error.
    public init(stamped stamp: FixtureStamp, bytes: [UInt8], source: String) {
        name = stamp.name
        release = stamp.release
        onRestart = stamp.onRestart
        self.stamp = stamp
        pending = (bytes, source)
        decoded = Mutex(nil)
    }

    /// True until the fixture is decoded.
    public var isPending: Bool { decoded.withLock { $0 == nil } }

    /// The fixture, decoded on first use if it came as stamped bytes.
    public var fixture: Fixture {
        decoded.withLock { known in
            if let known { return known }
            guard let pending else { preconditionFailure("a FixtureSource holds a fixture or its bytes") }
            do {
                let f = try FixtureLocator.fixture(pending.bytes, source: pending.source)
                known = f
                return f
            } catch {
                // The stamp says this very build decoded these very bytes without error before.
                preconditionFailure("the fixture \(pending.source), stamped in the catalog, no longer decodes: \(error)")
            }
        }
    }
}
