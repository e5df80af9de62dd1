import CProcess

/// The running executable's identity.
public enum ExecutableImage {
    /// The executable's GNU build ID (the linker's hash of its contents), or empty where it has none:
    /// what tells one build of drmock from another (a stripped copy keeps it).
    public static let buildID: [UInt8] = {
        var bytes = [UInt8](repeating: 0, count: 64)
        let n = bytes.withUnsafeMutableBufferPointer { cproc_executable_build_id($0.baseAddress, $0.count) }
        return Array(bytes.prefix(n))
    }()
}
