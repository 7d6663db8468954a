import Foundation
import GRDB

/// The four Google services a message can need, in the order every output lists them.
public enum Service: String, CaseIterable, Codable, Sendable, Comparable {
    case email, calendar, tasks, keep

    public static func < (lhs: Service, rhs: Service) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Parses the comma-separated form stored in the database ("email,tasks").
    static func list(_ stored: String) -> [Service] {
        stored.split(separator: ",").compactMap { Service(rawValue: String($0)) }.sorted()
    }

    static func stored(_ services: [Service]) -> String {
        Set(services).sorted().map(\.rawValue).joined(separator: ",")
    }
}

/// A signed-in Google account; keyed on the OpenID `sub`, never on the email address.
public struct User: Codable, Equatable, Sendable, StoredDateRecord, MutablePersistableRecord {
    public static let databaseTableName = "users"
    public var id: Int64?
    public var sub: String
    public var email: String
    public var name: String
    public var pictureURL: String?
    /// Space-separated, exactly as the token endpoint last reported them.
    public var grantedScopes: String
    public var emailGranted: Bool
    public var calendarGranted: Bool
    public var tasksGranted: Bool
    public var keepGranted: Bool
    public var createdAt: Date
    public var updatedAt: Date
    public var lastLoginAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, sub, email, name
        case pictureURL = "picture_url"
        case grantedScopes = "granted_scopes"
        case emailGranted = "email_granted"
        case calendarGranted = "calendar_granted"
        case tasksGranted = "tasks_granted"
        case keepGranted = "keep_granted"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case lastLoginAt = "last_login_at"
    }

    public init(sub: String, email: String, name: String, pictureURL: String? = nil, now: Date) {
        self.sub = sub
        self.email = email
        self.name = name
        self.pictureURL = pictureURL
        grantedScopes = ""
        emailGranted = false
        calendarGranted = false
        tasksGranted = false
        keepGranted = false
        createdAt = now
        updatedAt = now
        lastLoginAt = now
    }

    public func isGranted(_ service: Service) -> Bool {
        switch service {
        case .email: emailGranted
        case .calendar: calendarGranted
        case .tasks: tasksGranted
        case .keep: keepGranted
        }
    }

    public mutating func setGranted(_ service: Service, _ granted: Bool) {
        switch service {
        case .email: emailGranted = granted
        case .calendar: calendarGranted = granted
        case .tasks: tasksGranted = granted
        case .keep: keepGranted = granted
        }
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One sign-in attempt: the secrets that tie Google's redirect back to this attempt.
public struct OAuthState: Codable, Equatable, Sendable, StoredDateRecord, MutablePersistableRecord {
    public static let databaseTableName = "oauth_states"
    public var id: Int64?
    public var state: String
    /// Cleared once the attempt is consumed or expired: it is only needed for one exchange.
    public var codeVerifier: String
    public var nonce: String
    public var stage: Int
    /// Comma-separated services requested (empty for Stage 1).
    public var services: String
    public var redirectURI: String
    public var createdAt: Date
    public var expiresAt: Date
    public var consumedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, state, nonce, stage, services
        case codeVerifier = "code_verifier"
        case redirectURI = "redirect_uri"
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case consumedAt = "consumed_at"
    }

    public init(
        state: String, codeVerifier: String, nonce: String, stage: Int, services: [Service],
        redirectURI: String, createdAt: Date, expiresAt: Date
    ) {
        self.state = state
        self.codeVerifier = codeVerifier
        self.nonce = nonce
        self.stage = stage
        self.services = Service.stored(services)
        self.redirectURI = redirectURI
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    public var requestedServices: [Service] { Service.list(services) }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public struct Conversation: Codable, Equatable, Sendable, StoredDateRecord, MutablePersistableRecord, Identifiable {
    public static let databaseTableName = "conversations"
    public var id: Int64?
    public var title: String
    public var createdAt: Date
    /// The last activity: a message added, a rename. Lists are ordered by it.
    public var updatedAt: Date
    /// Kept by triggers on `messages`, so listing never counts rows.
    public var messageCount: Int
    public var archived: Bool
    /// A JSON object.
    public var metadata: String

    enum CodingKeys: String, CodingKey {
        case id, title, archived, metadata
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case messageCount = "message_count"
    }

    public init(title: String, now: Date) {
        self.title = title
        createdAt = now
        updatedAt = now
        messageCount = 0
        archived = false
        metadata = "{}"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public enum MessageRole: String, Codable, Sendable, CaseIterable {
    case user, assistant, system
}

public enum MessageStatus: String, Codable, Sendable, CaseIterable {
    /// Fully written.
    case complete
    /// A reply still arriving; left behind by a process that died, it becomes `interrupted`.
    case streaming
    /// A reply cut short (cancelled, killed, connection lost); what arrived is kept.
    case interrupted
    /// The reply failed; `content` says why in plain words.
    case error
}

public struct Message: Codable, Equatable, Sendable, StoredDateRecord, MutablePersistableRecord, Identifiable {
    public static let databaseTableName = "messages"
    public var id: Int64?
    public var conversationID: Int64
    public var role: MessageRole
    public var content: String
    public var createdAt: Date
    /// Comma-separated services the detector flagged (user messages).
    public var services: String
    public var status: MessageStatus
    /// A JSON object: provider, model, Google calls, latency, ...
    public var metadata: String

    enum CodingKeys: String, CodingKey {
        case id, role, content, services, status, metadata
        case conversationID = "conversation_id"
        case createdAt = "created_at"
    }

    public init(
        conversationID: Int64, role: MessageRole, content: String, services: [Service] = [],
        status: MessageStatus = .complete, metadata: String = "{}", now: Date
    ) {
        self.conversationID = conversationID
        self.role = role
        self.content = content
        self.services = Service.stored(services)
        self.status = status
        self.metadata = metadata
        createdAt = now
    }

    public var detectedServices: [Service] { Service.list(services) }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

public enum PermissionStatus: String, Codable, Sendable, CaseIterable {
    case requested, granted, denied, partial
    /// Google refuses the service for this account (Keep outside Workspace).
    case unavailable
    /// The attempt ended without an answer: cancelled, timed out, or an error.
    case failed
}

public struct PermissionRequest: Codable, Equatable, Sendable, StoredDateRecord, MutablePersistableRecord {
    public static let databaseTableName = "permission_requests"
    public var id: Int64?
    public var userID: Int64
    public var service: Service
    public var status: PermissionStatus
    public var requestedAt: Date
    public var resolvedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, service, status
        case userID = "user_id"
        case requestedAt = "requested_at"
        case resolvedAt = "resolved_at"
    }

    public init(userID: Int64, service: Service, status: PermissionStatus = .requested, requestedAt: Date) {
        self.userID = userID
        self.service = service
        self.status = status
        self.requestedAt = requestedAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A user's tokens as stored: the values sealed with `TokenVault`, never plain text.
struct SealedTokenRow: Codable, Equatable, StoredDateRecord, PersistableRecord {
    static let databaseTableName = "tokens"
    var userID: Int64
    var accessToken: Data
    var refreshToken: Data?
    var expiresAt: Date
    var scopes: String
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case userID = "user_id"
        case accessToken = "access_token"
        case refreshToken = "refresh_token"
        case expiresAt = "expires_at"
        case scopes
        case updatedAt = "updated_at"
    }
}

/// A user's tokens in the clear, only ever held in memory.
public struct Tokens: Equatable, Sendable {
    public var accessToken: String
    public var refreshToken: String?
    public var expiresAt: Date
    /// Space-separated scopes the access token carries.
    public var scopes: String

    public init(accessToken: String, refreshToken: String?, expiresAt: Date, scopes: String) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.scopes = scopes
    }
}

extension Tokens: CustomStringConvertible, CustomDebugStringConvertible {
    /// Never the values: a token printed by accident must not leak.
    public var description: String { "Tokens(expiresAt: \(expiresAt), scopes: \(scopes), refresh: \(refreshToken == nil ? "no" : "yes"))" }
    public var debugDescription: String { description }
}

extension Service: DatabaseValueConvertible {}
extension MessageRole: DatabaseValueConvertible {}
extension MessageStatus: DatabaseValueConvertible {}
extension PermissionStatus: DatabaseValueConvertible {}
