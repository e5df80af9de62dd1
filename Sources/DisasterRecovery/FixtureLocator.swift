#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds and reads fixtures: `--fixture PATH` (a file that exists) or `--fixture NAME`, looked up as
/// `NAME.json` in `$DRMOCK_FIXTURES` (one folder, or several separated by `:` as in `PATH`), `./fixtures`,
/// and the `fixtures/` folder of the directories above the executable (which covers `.build/debug/drmock`
/// in a checkout and `share/drmock/fixtures`).
public enum FixtureLocator {
    public static func load(_ nameOrPath: String, executablePath: String = currentExecutable()) throws -> Fixture {
        let path = try locate(nameOrPath, executablePath: executablePath)
        guard let bytes = readFile(path) else { throw FixtureError("cannot read fixture file \(path)") }
        return try fixture(bytes, source: path)
    }

    /// The fixture in `bytes` (the contents of the file `source`), decoded and validated.
    public static func fixture(_ bytes: [UInt8], source: String) throws -> Fixture {
        let fixture = try Fixture.decode(bytes, source: source)
        try fixture.validate(source: source)
        return fixture
    }

    public static func locate(_ nameOrPath: String, executablePath: String = currentExecutable()) throws -> String {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".json") {
            guard isFile(nameOrPath) else { throw FixtureError("fixture file \(nameOrPath) does not exist") }
            return nameOrPath
        }
        let dirs = searchDirectories(executablePath: executablePath)
        for d in dirs where isFile(d + "/" + nameOrPath + ".json") {
            return d + "/" + nameOrPath + ".json"
        }
        throw FixtureError("no fixture named '\(nameOrPath)' (looked in \(dirs.joined(separator: ", ")))")
    }

    /// Where `NAME` is looked up, first match wins: each folder of `$DRMOCK_FIXTURES` (`:`-separated, in
    /// order), `./fixtures`, then `fixtures/` and `share/drmock/fixtures/` in each directory above the
    /// executable. The Python package's launcher puts its own fixtures in `$DRMOCK_FIXTURES`, so a
    /// project's `./fixtures/default.json` does not shadow them.
    public static func searchDirectories(executablePath: String = currentExecutable()) -> [String] {
        var dirs: [String] = []
        if let env = getenv("DRMOCK_FIXTURES") {
            dirs += String(cString: env).split(separator: ":").map(String.init)
        }
        dirs.append("fixtures")
        var dir = directory(of: resolved(executablePath))
        for _ in 0..<6 where !dir.isEmpty {
            dirs.append(dir + "/fixtures")
            dirs.append(dir + "/share/drmock/fixtures")
            dir = directory(of: dir)
        }
        return dirs
    }

    /// This process's executable: `/proc/self/exe` where there is one (argv[0] is only `drmock` when
    /// it was found through `PATH`, as in the container image), else argv[0].
    public static func currentExecutable() -> String {
        let exe = resolved("/proc/self/exe")
        return exe != "/proc/self/exe" ? exe : (CommandLine.arguments.first ?? "")
    }

    /// The whole file, or nil if it cannot be read.
    public static func readFile(_ path: String) -> [UInt8]? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        // Read straight into the result, sized by fstat (start-up, issue #11: a zeroed 64 KiB buffer
        // and a copy cost ~70,000 instructions and 16 page faults for a 5 KB fixture).
        var st = stat()
        let size = fstat(fileno(f), &st) == 0 && st.st_size > 0 ? Int(st.st_size) : 0
        var out = [UInt8](unsafeUninitializedCapacity: size + 1) { buffer, count in
            count = fread(buffer.baseAddress!, 1, size + 1, f)
        }
        if out.count == size + 1 {
            // The file is longer than fstat said (it grew, or reports no size): the rest in pieces.
            var piece = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = fread(&piece, 1, piece.count, f)
                if n > 0 { out.append(contentsOf: piece[0..<n]) }
                if n < piece.count { break }
            }
        }
        return ferror(f) == 0 ? out : nil
    }

    static func isFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    static func resolved(_ path: String) -> String {
        guard let p = realpath(path, nil) else { return path }
        defer { free(p) }
        return String(cString: p)
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }
}
