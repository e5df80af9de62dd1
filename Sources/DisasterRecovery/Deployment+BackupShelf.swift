import Catalog
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A deployment's backups: those of the registered stores, and those that unregistered stores left
/// on their volumes.
struct BackupInventory: Sendable {
    /// Per store, in start-time order.
    var stores: [String: [Backup]] = [:]
    /// Backups of unregistered stores, by the volume they live on (they return when a store on
    /// that volume is registered again).
    var detached: [String: [Backup]] = [:]
}

/// Where a deployment keeps its ``BackupInventory``: a context opened from the catalog starts with
/// its backups not yet read (a big catalog's backups are most of its start-up), and they are read,
/// all at once, the first time anything needs them. Its contents are reached only through
/// ``Deployment/backups(_:)`` and ``Deployment/changeBackups(_:_:)``, which read them first.
struct BackupShelf: Sendable {
    private enum Contents: Sendable {
        /// Still only in the catalog.
        case unread
        case read(BackupInventory)
        /// A stored backup could not be read: every later access answers this error.
        case unreadable(AdminError)
    }
    private var contents: Contents

    /// A shelf whose backups are still in the catalog.
    static let unread = BackupShelf(contents: .unread)

    /// A shelf holding `inventory` (a context made from a fixture has nothing to read).
    init(_ inventory: BackupInventory) { contents = .read(inventory) }

    private init(contents: Contents) { self.contents = contents }

    /// Whether the backups are in memory.
    var isRead: Bool {
        if case .read = contents { return true }
        return false
    }

    /// The backups, read by `read` first if they are not yet. A stored backup that cannot be read
    /// makes this (and every later access) throw that ``AdminError``; `read`'s other errors (the
    /// catalog file cannot be read now) leave the backups unread, to be tried again.
    mutating func inventory(reading read: () throws -> BackupInventory) throws -> BackupInventory {
        switch contents {
        case .read(let inventory): return inventory
        case .unreadable(let error): throw error
        case .unread:
            do {
                let inventory = try read()
                contents = .read(inventory)
                return inventory
            } catch let error as AdminError {
                contents = .unreadable(error)
                throw error
            }
        }
    }

    /// Applies `change` to the backups in memory (read by `read` first if they are not yet).
    mutating func change<T>(reading read: () throws -> BackupInventory, _ change: (inout BackupInventory) -> T) throws -> T {
        var inventory = try inventory(reading: read)
        // Moved out and back, so that `change` works on the only reference (no copy of the arrays).
        contents = .unread
        defer { contents = .read(inventory) }
        return change(&inventory)
    }
}

extension Deployment {
    /// The state's backups, read from the catalog the first time anything needs them (under the
    /// state's lock, so no request sees them half read). Every access to the backups goes through
    /// here or ``changeBackups(_:_:)``.
    func backups(_ s: inout State) throws -> BackupInventory {
        try s.backupShelf.inventory(reading: readStoredBackups)
    }

    /// Changes the state's backups in memory (after the catalog was written), reading them first
    /// if they are not yet; the answers' revision moves on.
    func changeBackups<T>(_ s: inout State, _ change: (inout BackupInventory) -> T) throws -> T {
        let result = try s.backupShelf.change(reading: readStoredBackups, change)
        s.revision = Self.nextRevision()
        return result
    }

    /// Like ``changeBackups(_:_:)``, but backups not read yet are left unread: the catalog, already
    /// written, is where they will be read from. For changes that need nothing from the backups.
    func changeBackupsIfRead(_ s: inout State, _ change: (inout BackupInventory) -> Void) throws {
        if s.backupShelf.isRead {
            try changeBackups(&s, change)
        } else {
            s.revision = Self.nextRevision()
        }
    }

    /// Reads every stored backup of this context: a stored backup that cannot be read is an
    /// ``AdminError/unreadableBackup(_:store:_:)`` (logged once), never a shorter list. Each row's
    /// JSON is read where SQLite holds it; each store's list gets its room at once (the rows are
    /// counted first), so no list is copied as it grows.
    func readStoredBackups() throws -> BackupInventory {
        var inventory = BackupInventory()
        for (store, count) in try catalog.backupCounts(context: context) {
            if store.hasPrefix("#") {
                inventory.detached[String(store.dropFirst()), default: []].reserveCapacity(count)
            } else {
                inventory.stores[store, default: []].reserveCapacity(count)
            }
        }
        var sharing = StoredBackupSharing()
        try catalog.forEachBackup(context: context) { row in
            var read: Backup? = nil
            row.withBody { read = Backup.stored($0, sharing: &sharing) }
            let b: Backup
            if let fast = read.take() {
                b = fast
            } else {
                do {
                    b = try decode(Backup.self, row.body)
                } catch {
                    let failure = AdminError.unreadableBackup(row.name, store: row.store, Self.reason(error))
                    problemLog("drmock: context '\(context)': \(failure.message) \(failure.detailList.joined(separator: " "))")
                    throw failure
                }
            }
            if let volume = b.detachedVolume {
                inventory.detached[volume, default: []].append(consume b)
            } else {
                let store = b.backupStore
                inventory.stores[store, default: []].append(consume b)
            }
        }
        return inventory
    }

    /// A decoding error in a few words: what is wrong, and where.
    static func reason(_ error: any Error) -> String {
        let context: DecodingError.Context
        switch error {
        case DecodingError.dataCorrupted(let c), DecodingError.keyNotFound(_, let c),
             DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            context = c
        default:
            return String(describing: error)
        }
        let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return path.isEmpty ? context.debugDescription : "at $\(path): \(context.debugDescription)"
    }

    /// Writes a line to the standard error (the default ``problemLog``).
    @Sendable public static func standardErrorLog(_ line: String) {
        var text = line + "\n"
        text.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
    }
}
