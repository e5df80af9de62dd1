#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `text` to `path` through a temporary file and a rename, so a reader never sees half a line.
public func writeAtomically(_ path: String, _ text: String) -> Bool {
    let temporary = "\(path).tmp-\(getpid())"
    guard let f = fopen(temporary, "w") else { return false }
    let ok = fputs(text, f) >= 0
    guard fclose(f) == 0, ok, rename(temporary, path) == 0 else {
        unlink(temporary)
        return false
    }
    return true
}
