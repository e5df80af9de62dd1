import DisasterRecovery
import Foundation
import Testing

/// FixtureLocator.readFile gives a file's bytes whole, whatever its size, and nil when it cannot.
@Suite struct ReadFileTests {
    @Test(arguments: [0, 1, 4931, 65535, 65536, 65537, 300_000])
    func wholeFiles(size: Int) throws {
        let path = "/tmp/drmock-readfile-\(getpid())-\(size)"
        defer { unlink(path) }
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(FixtureLocator.readFile(path) == bytes)
    }

    @Test func aFileWithoutASizeAndAMissingOne() throws {
        // /proc files report size 0: read to their end all the same.
        let status = try #require(FixtureLocator.readFile("/proc/self/status"))
        #expect(String(decoding: status, as: UTF8.self).contains("Name:"))
        #expect(FixtureLocator.readFile("/nonexistent/drmock-\(getpid())") == nil)
    }
}
