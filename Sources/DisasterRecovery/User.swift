/// A user of the emulated organization, as the fixture defines it.
public struct User: Codable, Sendable, Equatable {
    public var username: String
    /// ``SecretHash`` form; the fixture may give `password` instead, hashed at load.
    public var passwordHash: String
    /// e.g. `org_admin`, `org_user`.
    public var role: String
    /// e.g. `portal:admin:manageSecurity` (the "Security and infrastructure" privilege).
    public var privileges: [String]

    public init(username: String, passwordHash: String, role: String, privileges: [String]) {
        self.username = username
        self.passwordHash = passwordHash
        self.role = role
        self.privileges = privileges
    }

    /// The privilege every disaster-recovery endpoint requires.
    public static let securityAndInfrastructure = "portal:admin:manageSecurity"

    public func has(_ privilege: String) -> Bool { privileges.contains(privilege) }
}

/// A token handed out by `generateToken`.
public struct TokenGrant: Sendable, Equatable {
    public var token: String
    /// Epoch ms.
    public var expires: Int64
}
