import HTTPServer
import Synchronization

/// Rendered answers of GET resources, kept while what they show does not change.
///
/// An answer is stored under its path and format together with the deployment's
/// ``DisasterRecovery/AnswerValidity`` when it was rendered: the state's revision, and the span of
/// clock readings over which the answer holds (from the reading it was rendered at to the active
/// job's next change, or to the next millisecond for a resource that shows elapsed times while a
/// job runs; unbounded while no job is active). It is served again only while that revision is
/// current and the clock reads within that span: any change to stores, backups, jobs, users or the
/// profile gives the deployment a new revision, and a job's progress moves only at the instants
/// its plan fixes. Only routes marked `cached` use it, and only for `f=json` and `f=pjson`: their
/// answer depends on nothing but the path, the format, that state and the clock reading (never on
/// the user or other parameters). Auth, release and parameter checks come before the cache. HTML
/// pages are not cached.
///
/// Per context, only the answers of the newest revision are kept: the first answer stored for a
/// newer revision drops all the older ones (they can never be served again), so memory holds no
/// stale list of thousands of backups after a change. An answer stored again for the same key and
/// revision (a later span) replaces the earlier one.
final class AnswerCache: Sendable {
    /// Beyond either limit the cache is emptied before the next answer is stored.
    static let maxEntries = 256
    /// An answer bigger than this is not kept (and a list answer estimated bigger is streamed instead).
    let maxBytes: Int

    init(maxBytes: Int = AdminConfiguration.defaultAnswerCacheBytes) { self.maxBytes = maxBytes }

    /// The answers of one context at one revision.
    private struct Generation: Sendable {
        var revision: UInt64
        var byKey: [Key: Entry] = [:]
    }

    /// An answer, and the clock readings it holds for: `from` up to, not including, `until`.
    private struct Entry: Sendable {
        var response: Response
        var from: Int64
        var until: Int64
    }

    /// A path and whether the answer is pretty-printed (a struct, so that no key string is built per
    /// request). It carries the path's hash value, worked out once per path (see `PathPlan`), so that
    /// a lookup does not hash the path again.
    struct Key: Hashable, Sendable {
        let path: String
        let pretty: Bool
        let pathHash: Int

        init(path: String, pretty: Bool, pathHash: Int? = nil) {
            self.path = path
            self.pretty = pretty
            self.pathHash = pathHash ?? path.hashValue
        }

        static func == (a: Key, b: Key) -> Bool {
            a.pretty == b.pretty && a.pathHash == b.pathHash && a.path == b.path
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(pathHash)
            hasher.combine(pretty)
        }
    }

    private struct Entries: Sendable {
        var byContext: [String: Generation] = [:]
        var count = 0
        var bytes = 0

        mutating func removeAll() {
            self = Entries()
        }

        mutating func drop(_ context: String) {
            guard let old = byContext.removeValue(forKey: context) else { return }
            count -= old.byKey.count
            bytes -= old.byKey.values.reduce(0) { $0 + $1.response.body.count }
        }
    }

    private let entries = Mutex(Entries())

    static func key(path: String, format: Format, pathHash: Int? = nil) -> Key {
        Key(path: path, pretty: format == .pjson, pathHash: pathHash)
    }

    /// The answer kept for `key` at `revision` that holds at the clock reading `now`.
    func answer(_ key: Key, context: String, revision: UInt64, at now: Int64 = 0) -> Response? {
        entries.withLock { e in
            guard let g = e.byContext[context], g.revision == revision, let entry = g.byKey[key],
                  entry.from <= now, now < entry.until else { return nil }
            return entry.response
        }
    }

    /// Keeps `response` for `key` at `revision`, for the clock readings `from..<until`; an answer
    /// of an older revision than the context's newest is not kept (revisions only grow, see
    /// ``DisasterRecovery/AnswerValidity``).
    func store(_ response: Response, _ key: Key, context: String, revision: UInt64, from: Int64 = .min, until: Int64 = .max) {
        let size = response.body.count
        guard size <= maxBytes, response.stream == nil else { return }
        entries.withLock { e in
            if let g = e.byContext[context], g.revision != revision {
                guard g.revision < revision else { return }
                e.drop(context)
            }
            if let old = e.byContext[context]?.byKey[key] {
                e.count -= 1
                e.bytes -= old.response.body.count
            }
            if e.count >= Self.maxEntries || e.bytes + size > maxBytes { e.removeAll() }
            e.byContext[context, default: Generation(revision: revision)].byKey[key] = Entry(response: response, from: from, until: until)
            e.count += 1
            e.bytes += size
        }
    }

    /// How many answers are kept, and their bytes (for tests).
    /// Forgets every answer of `context` (a context removed).
    func forget(context: String) {
        entries.withLock { $0.drop(context) }
    }

    var usage: (entries: Int, bytes: Int) {
        entries.withLock { ($0.count, $0.bytes) }
    }
}
