import HTTPServer
import Testing

/// The C allocator set up for serving (issue #11): big blocks keep getting their own mapping,
/// so freeing them gives the memory back.
@Suite struct ProcessMemoryTests {
    @Test func bigBlocksStayMappedAfterABiggerOneWasFreed() throws {
        #expect(ProcessMemory.tuneForServing())
        #expect(ProcessMemory.tuneForServing())   // idempotent
        // Untuned, glibc would raise its mmap threshold to 8 MiB when this block is freed, and carve
        // the next 2 MiB block from a thread's arena, where it stays after being freed.
        let big = UnsafeMutableRawPointer.allocate(byteCount: 8 << 20, alignment: 16)
        big.storeBytes(of: 1, as: UInt8.self)
        big.deallocate()
        // Other tests run at the same time and may free mapped blocks of their own between the two
        // readings, so one of a few tries must see the block mapped.
        var seen = false
        for _ in 0..<5 where !seen {
            let before = ProcessMemory.mappedBytes
            let block = UnsafeMutableRawPointer.allocate(byteCount: 2 << 20, alignment: 16)
            block.storeBytes(of: 1, as: UInt8.self)
            seen = ProcessMemory.mappedBytes - before >= 2 << 20
            block.deallocate()
        }
        #expect(seen)
    }
}
