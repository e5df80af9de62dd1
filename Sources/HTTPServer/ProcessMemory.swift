import CProcess

/// The process's C allocator (glibc's malloc), set up for a long-running server: memory that a
/// burst of work (a thousand scrypt hashes, a big list answer at 64 connections) freed goes back
/// to the system instead of staying mapped in the threads' malloc arenas.
///
/// It is process-wide, so the executable chooses it, early in `main`:
///
///     ProcessMemory.tuneForServing()
///     try server.start()
public enum ProcessMemory {
    /// Blocks of this size or more get their own mapping, unmapped when freed (glibc starts at the
    /// same 128 KiB but raises it after each big free, up to 32 MiB; fixing it stops that).
    public static let bigBlockBytes = 128 * 1024
    /// Free memory above this at the top of an arena is returned at once.
    public static let trimThresholdBytes = 128 * 1024

    /// Fixes malloc's thresholds (``bigBlockBytes``, ``trimThresholdBytes``) and starts one thread
    /// that, after a second with more than `busyMilliseconds` of the process's CPU time, trims at
    /// the first quieter second (``trim()``), so a settled server holds little free memory while a
    /// busy one is never slowed by trimming. Idempotent. Returns false where the allocator is not
    /// glibc's (nothing is changed then).
    @discardableResult
    public static func tuneForServing(idleCheckMilliseconds: UInt32 = 1000, busyMilliseconds: UInt32 = 20) -> Bool {
        guard cproc_malloc_configure(bigBlockBytes, trimThresholdBytes) == 1 else { return false }
        return cproc_malloc_start_idle_trim(idleCheckMilliseconds, busyMilliseconds) == 0
    }

    /// Buffers of at least this many bytes are worth backing with huge pages (see
    /// ``bodyBuffer(capacity:)``).
    public static let hugePageBufferBytes = 4 << 20

    /// An empty byte array with room for `capacity` bytes, for a big answer written at once (a list
    /// of 10,000 backups is 9 MB). From ``hugePageBufferBytes`` on, the kernel is asked to back its
    /// storage with 2 MiB pages where it can (`madvise(MADV_HUGEPAGE)`; the system's setting is
    /// usually "madvise"): writing it then costs a few page faults instead of one per 4 KiB (2,250
    /// for 9 MB, about a tenth of the first list's CPU).
    public static func bodyBuffer(capacity: Int) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(capacity)
        if capacity >= hugePageBufferBytes {
            let room = buffer.capacity
            buffer.withUnsafeMutableBufferPointer { storage in
                if let base = storage.baseAddress { _ = cproc_advise_huge_pages(base, room) }
            }
        }
        return buffer
    }

    /// Gives the free pages of every malloc arena back to the system now (`malloc_trim(0)`).
    @discardableResult
    public static func trim() -> Bool {
        cproc_malloc_trim() == 1
    }

    /// Bytes malloc holds in blocks with their own mapping (glibc's `mallinfo2().hblkhd`).
    public static var mappedBytes: Int {
        Int(cproc_malloc_mapped_bytes())
    }

    /// How many times the idle thread of ``tuneForServing(idleCheckMilliseconds:busyMilliseconds:)`` has trimmed.
    public static var idleTrims: UInt {
        UInt(cproc_malloc_idle_trims())
    }
}
