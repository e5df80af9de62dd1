/// drmock's own version (not the emulated ArcGIS release): the one place it is written.
/// `drmock --version` prints it; embedders can read it too.
///
/// Bump it in the commit that changes what drmock serves or how it is run.
public enum DRMockVersion {
    public static let current = "0.1.0"
}
