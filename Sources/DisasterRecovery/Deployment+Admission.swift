/// The reads a request of a cached resource makes of its deployment, in one lock instead of three.
extension Deployment {
    /// What ``admit(token:privilege:)`` found.
    public struct Admission: Sendable {
        /// The token's user.
        public let username: String
        /// Whether the user holds the privilege asked for.
        public let allowed: Bool
        /// ``answerValidity()`` (nil while domain faults are set); only worked out when the user is
        /// allowed.
        public let validity: AnswerValidity?
    }

    /// For a request of a cached resource: the token's user and whether they hold `privilege` (nil:
    /// any signed-in user will do) -- what ``user(forToken:)`` and `User.has` tell -- and, when they
    /// may, the answer validity, after the job engine has caught up exactly as ``answerValidity()``
    /// does. Throws 498 (``AdminError/invalidToken()``) for an unknown or expired token.
    public func admit(token: String, privilege: String?) throws -> Admission {
        let faulted = faultsSet.load(ordering: .acquiring)
        let admission: Admission? = try state.withLock { s in
            // One reading, under the lock, for the token's expiry and the settling both.
            let now = clock.now()
            guard let username = s.holder(of: token, at: now), let user = s.users[username] else { return nil }
            let allowed = privilege.map { user.has($0) } ?? true
            guard allowed, !faulted else { return Admission(username: user.username, allowed: allowed, validity: nil) }
            try runScheduledWork(&s, until: now)
            return Admission(username: user.username, allowed: true, validity: s.answerValidity(at: now))
        }
        guard let admission else { throw AdminError.invalidToken() }
        return admission
    }
}
