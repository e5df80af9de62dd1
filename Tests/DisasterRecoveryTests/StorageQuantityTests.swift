import DisasterRecovery
import Testing

/// Kubernetes quantities as volume sizes (k8s.io/apimachinery's grammar), and the 16 GB minimum.
@Suite struct StorageQuantityTests {
    static let sizes: [(String, Double)] = [
        ("64Gi", 64 * 1_073_741_824.0), ("16G", 16e9), ("100G", 100e9), ("64000M", 64e9), ("1.5Ti", 1.5 * 1_099_511_627_776),
        ("20e9", 20e9), ("2E10", 2e10), ("17179869184", 17_179_869_184), ("0.5Pi", 0.5 * 1_125_899_906_842_624), (".5T", 0.5e12),
        ("16000000k", 16e9), ("1e+3", 1000), ("+16G", 16e9),
    ]

    @Test(arguments: sizes)
    func parses(_ text: String, _ bytes: Double) {
        #expect(StorageQuantity(text)?.bytes == bytes)
    }

    @Test(arguments: ["", "Gi", "64GB", "64 Gi", "1e", "1e1000", "1.2.3Gi", ".", "64gi", "sixty", "1e-", "1ee3"])
    func refuses(_ text: String) {
        #expect(StorageQuantity(text) == nil)
    }

    @Test func theMinimumIsSixteenGigabytes() {
        #expect(StorageQuantity("16G")?.isEnoughForAVolume == true)
        #expect(StorageQuantity("15Gi")?.isEnoughForAVolume == true)   // 16.1 × 10⁹ bytes
        #expect(StorageQuantity("15999M")?.isEnoughForAVolume == false)
        #expect(StorageQuantity("-64Gi")?.isEnoughForAVolume == false)
    }
}
