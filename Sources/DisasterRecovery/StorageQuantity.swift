/// A Kubernetes resource quantity, as a volume's `size` is written: `64Gi`, `16G`, `64000M`,
/// `1.5Ti`, `20e9`, `100` (bytes).
///
/// The grammar is Kubernetes' (`k8s.io/apimachinery/pkg/api/resource`): an optional sign, a decimal
/// number (digits, at most one `.`), then a binary suffix (`Ki Mi Gi Ti Pi Ei`), a decimal one
/// (`n u m k M G T P E`, or none) or a decimal exponent (`e`/`E` and a signed whole number).
public struct StorageQuantity: Sendable, Equatable {
    /// The quantity in bytes.
    public let bytes: Double

    /// The smallest volume the documents allow: "The minimum size requirement is 16 GB"
    /// (https://developers.arcgis.com/rest/enterprise-administration/enterprise/register). Read as
    /// 16 × 10⁹ bytes, so `16G` (what the text says) and `16Gi` are both enough (a drmock decision).
    public static let minimumVolumeBytes: Double = 16e9

    /// The binary and decimal suffixes, and what each multiplies by.
    static let suffixes: [String: Double] = [
        "Ki": 0x1p10, "Mi": 0x1p20, "Gi": 0x1p30, "Ti": 0x1p40, "Pi": 0x1p50, "Ei": 0x1p60,
        "n": 1e-9, "u": 1e-6, "m": 1e-3, "": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
    ]

    /// Parses `text`; nil when it is not a Kubernetes quantity.
    public init?(_ text: String) {
        guard !text.isEmpty, text.utf8.count <= 64 else { return nil }
        var s = Substring(text)
        var sign = 1.0
        if s.first == "+" || s.first == "-" { sign = s.first == "-" ? -1 : 1; s = s.dropFirst() }
        let number = s.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        guard !number.isEmpty, number.filter({ $0 == "." }).count <= 1, number != ".",
              let value = Double(number.hasPrefix(".") ? "0" + number : number.hasSuffix(".") ? number + "0" : String(number))
        else { return nil }
        let suffix = s.dropFirst(number.count)
        let multiplier: Double
        if let m = Self.suffixes[String(suffix)] {
            multiplier = m
        } else {
            // A decimal exponent: e or E, then a signed whole number.
            guard let e = suffix.first, e == "e" || e == "E" else { return nil }
            var digits = suffix.dropFirst()
            var exponentSign = 1
            if digits.first == "+" || digits.first == "-" { exponentSign = digits.first == "-" ? -1 : 1; digits = digits.dropFirst() }
            guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(digits) else { return nil }
            multiplier = Double("1e\(exponentSign * n)") ?? .nan
        }
        let bytes = sign * value * multiplier
        guard bytes.isFinite else { return nil }
        self.bytes = bytes
    }

    /// Whether the quantity is a volume size the documents allow (at least ``minimumVolumeBytes``).
    public var isEnoughForAVolume: Bool { bytes >= Self.minimumVolumeBytes }
}
