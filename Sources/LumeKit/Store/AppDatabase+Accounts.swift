import Foundation
import GRDB

extension AppDatabase {
    // MARK: Users

    /// Creates or updates the user keyed on `sub`, recording this login.
    public func upsertUser(sub: String, email: String, name: String, pictureURL: String?, now: Date = Date()) throws -> User {
        try writer.write { db in
            if var user = try User.filter(Column("sub") == sub).fetchOne(db) {
                user.email = email
                user.name = name
                user.pictureURL = pictureURL
                user.updatedAt = now
                user.lastLoginAt = now
                try user.update(db)
                return user
            }
            var user = User(sub: sub, email: email, name: name, pictureURL: pictureURL, now: now)
            try user.insert(db)
            return user
        }
    }

    public func user(id: Int64) throws -> User? {
        try writer.read { db in try User.fetchOne(db, key: id) }
    }

    /// The account lume-tui acts for: the most recent login that still holds tokens.
    public func signedInUser() throws -> User? {
        try writer.read { db in
            try User.fetchOne(db, sql: """
                SELECT users.* FROM users JOIN tokens ON tokens.user_id = users.id
                ORDER BY users.last_login_at DESC, users.id DESC LIMIT 1
                """)
        }
    }

    public func saveUser(_ user: User) throws {
        try writer.write { db in try user.update(db) }
    }

    public func users() throws -> [User] {
        try writer.read { db in try User.order(Column("id")).fetchAll(db) }
    }

    // MARK: Tokens

    /// Stores a user's tokens sealed. A `nil` refresh token keeps the stored one: Google
    /// sends a refresh token only on some grants, and losing it would force a new consent.
    public func storeTokens(_ tokens: Tokens, for userID: Int64, vault: TokenVault, now: Date = Date()) throws {
        let access = try vault.seal(tokens.accessToken, context: Self.sealContext(userID, "access"))
        let refresh = try tokens.refreshToken.map { try vault.seal($0, context: Self.sealContext(userID, "refresh")) }
        try writer.write { db in
            let existing = try SealedTokenRow.fetchOne(db, key: userID)
            let row = SealedTokenRow(
                userID: userID, accessToken: access, refreshToken: refresh ?? existing?.refreshToken,
                expiresAt: tokens.expiresAt, scopes: tokens.scopes, updatedAt: now)
            try row.save(db)
        }
    }

    public func tokens(for userID: Int64, vault: TokenVault) throws -> Tokens? {
        guard let row = try writer.read({ db in try SealedTokenRow.fetchOne(db, key: userID) }) else { return nil }
        return Tokens(
            accessToken: try vault.open(row.accessToken, context: Self.sealContext(userID, "access")),
            refreshToken: try row.refreshToken.map { try vault.open($0, context: Self.sealContext(userID, "refresh")) },
            expiresAt: row.expiresAt, scopes: row.scopes)
    }

    public func hasTokens(userID: Int64) throws -> Bool {
        try writer.read { db in try SealedTokenRow.exists(db, key: userID) }
    }

    /// Forgets the tokens and every grant flag; the user row and history stay.
    public func deleteTokens(for userID: Int64, now: Date = Date()) throws {
        try writer.write { db in
            _ = try SealedTokenRow.deleteOne(db, key: userID)
            try db.execute(sql: """
                UPDATE users SET granted_scopes = '', email_granted = 0, calendar_granted = 0,
                    tasks_granted = 0, keep_granted = 0, updated_at = ? WHERE id = ?
                """, arguments: [now.stored, userID])
        }
    }

    private static func sealContext(_ userID: Int64, _ field: String) -> String { "lume-tui/tokens/\(userID)/\(field)" }

    // MARK: Sign-in attempts

    public func insertState(_ state: OAuthState) throws -> OAuthState {
        try writer.write { db in
            var state = state
            try state.insert(db)
            return state
        }
    }

    /// Marks the attempt used and returns it (with its verifier) if it exists, is unused and
    /// has not expired; nil otherwise. The verifier is erased from the row in the same
    /// transaction: a code can be exchanged once.
    public func consumeState(_ value: String, now: Date = Date()) throws -> OAuthState? {
        try writer.write { db in
            guard var state = try OAuthState.filter(Column("state") == value).fetchOne(db),
                  state.consumedAt == nil, state.expiresAt > now
            else { return nil }
            let returned = state
            state.consumedAt = now
            state.codeVerifier = ""
            try state.update(db)
            var result = returned
            result.consumedAt = now
            return result
        }
    }

    public func oauthStates(limit: Int = 100) throws -> [OAuthState] {
        try writer.read { db in try OAuthState.order(Column("id").desc).limit(limit).fetchAll(db) }
    }

    /// Forgets attempts that expired long ago; the admin view keeps recent ones for debugging.
    public func pruneStates(expiredBefore cutoff: Date) throws {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM oauth_states WHERE expires_at < ?", arguments: [cutoff.stored])
        }
    }

    // MARK: Permission requests

    public func recordPermissionRequest(userID: Int64, service: Service, now: Date = Date()) throws -> PermissionRequest {
        try writer.write { db in
            var request = PermissionRequest(userID: userID, service: service, requestedAt: now)
            try request.insert(db)
            return request
        }
    }

    public func resolvePermissionRequest(id: Int64, status: PermissionStatus, now: Date = Date()) throws {
        try writer.write { db in
            try db.execute(
                sql: "UPDATE permission_requests SET status = ?, resolved_at = ? WHERE id = ?",
                arguments: [status, now.stored, id])
        }
    }

    /// The outcome of the latest request for each service the user ever asked for.
    public func latestPermissionStatus(userID: Int64) throws -> [Service: PermissionStatus] {
        try writer.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT service, status FROM permission_requests
                WHERE id IN (SELECT max(id) FROM permission_requests WHERE user_id = ? GROUP BY service)
                """, arguments: [userID])
            var result: [Service: PermissionStatus] = [:]
            for row in rows {
                if let service = Service(rawValue: row["service"]), let status = PermissionStatus(rawValue: row["status"]) {
                    result[service] = status
                }
            }
            return result
        }
    }

    public func permissionRequests(limit: Int = 200) throws -> [PermissionRequest] {
        try writer.read { db in try PermissionRequest.order(Column("id").desc).limit(limit).fetchAll(db) }
    }

    // MARK: Admin views

    /// The most recent messages across every conversation, for `admin messages`.
    public func recentMessages(limit: Int = 50) throws -> [Message] {
        try writer.read { db in try Message.order(Column("id").desc).limit(limit).fetchAll(db) }
    }
}
