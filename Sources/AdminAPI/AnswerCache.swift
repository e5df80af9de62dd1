import HTTPServer
import Synchronization

/// Rendered answers of GET resources, kept while the deployment does not change.
///
/// An answer is stored under its path and format together with the deployment's
/// ``DisasterRecovery/Deployment/answerRevision()``, and served again only while that revision is
/// current: any change to stores, backups, jobs, users or the profile gives the deployment a new
/// revision, and no revision is given while a job is active (then answers move with the clock).
/// Only routes marked `cached` use it, and only for `f=json` and `f=pjson`: their answer depends on
/// nothing but the path, the format and that state (never on the user, other parameters or the
/// time). Auth, release and parameter checks come before the cache. HTML pages are not cached.
final class AnswerCache: Sendable {
    /// Beyond either limit the cache is emptied before the next answer is stored.
    static let maxEntries = 256
    static let maxBytes = 32 << 20

    private struct Entry: Sendable {
        var revision: UInt64
        var response: Response
    }

    private struct Entries: Sendable {
        var byKey: [String: Entry] = [:]
        var bytes = 0
    }

    private let entries = Mutex(Entries())

    static func key(path: String, format: Format) -> String {
        (format == .pjson ? "p" : "j") + path
    }

    func answer(_ key: String, revision: UInt64) -> Response? {
        entries.withLock { e in
            guard let entry = e.byKey[key], entry.revision == revision else { return nil }
            return entry.response
        }
    }

    func store(_ response: Response, _ key: String, revision: UInt64) {
        let size = response.body.count
        guard size <= Self.maxBytes else { return }
        entries.withLock { e in
            if let old = e.byKey[key] { e.bytes -= old.response.body.count }
            if e.byKey.count >= Self.maxEntries || e.bytes + size > Self.maxBytes {
                e.byKey.removeAll()
                e.bytes = 0
            }
            e.byKey[key] = Entry(revision: revision, response: response)
            e.bytes += size
        }
    }
}
