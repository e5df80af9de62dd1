import FoundationEssentials

extension FixtureLocator {
    /// A fixture file found in one of the ``searchDirectories(executablePath:)``.
    public struct Entry: Sendable, Equatable {
        /// What `--fixture NAME` calls it: the file name without `.json`.
        public var name: String
        public var path: String
        /// The path of the file `--fixture NAME` picks instead, when an earlier directory has the same name.
        public var shadowedBy: String?
    }

    /// Every `*.json` in the search directories, in lookup order (then by name); a name that an
    /// earlier directory also has is marked ``Entry/shadowedBy``. A directory is listed once.
    public static func available(executablePath: String = currentExecutable()) -> [Entry] {
        var seenDirs = Set<String>()
        var winner: [String: String] = [:]
        var out: [Entry] = []
        for dir in searchDirectories(executablePath: executablePath) {
            guard seenDirs.insert(resolved(dir)).inserted,
                  let files = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            for file in files.sorted() where file.hasSuffix(".json") && !file.hasPrefix(".") {
                let path = dir + "/" + file
                guard isFile(path) else { continue }
                let name = String(file.dropLast(5))
                out.append(Entry(name: name, path: path, shadowedBy: winner[name]))
                if winner[name] == nil { winner[name] = path }
            }
        }
        return out
    }
}
