import Foundation

/// What is needed to reach the signed-in user's Google data; a `GoogleSession` is made
/// from it per turn, so a sign-in that happens mid-session is picked up.
public struct GoogleAccess: Sendable {
    public let database: AppDatabase
    public let tokens: AccessTokens
    public let http: HTTPClient
    public let api: Config.GoogleAPI
    public let retry: RetryPolicy

    public init(database: AppDatabase, tokens: AccessTokens, http: HTTPClient, api: Config.GoogleAPI, retry: RetryPolicy = RetryPolicy()) {
        self.database = database
        self.tokens = tokens
        self.http = http
        self.api = api
        self.retry = retry
    }

    /// The clients for the signed-in user, recording their calls in `log`; nil when
    /// nobody is signed in.
    public func session(time: LocalTime, log: GoogleCallLog) throws -> GoogleSession? {
        guard let user = try database.signedInUser(), let id = user.id else { return nil }
        let client = GoogleClient(http: http, tokens: tokens, userID: id, api: api, retry: retry, log: log)
        return GoogleSession(user: user, time: time, client: client)
    }
}

/// One user's Google clients for one turn.
public struct GoogleSession: Sendable {
    public let user: User
    public let time: LocalTime
    public let gmail: GmailClient
    public let calendar: CalendarClient
    public let tasks: TasksClient
    public let keep: KeepClient
    public let people: PeopleClient

    init(user: User, time: LocalTime, client: GoogleClient) {
        self.user = user
        self.time = time
        gmail = GmailClient(client)
        calendar = CalendarClient(client, time: time)
        tasks = TasksClient(client)
        keep = KeepClient(client)
        people = PeopleClient(client)
    }

    public var me: MailAddress { MailAddress(user.email, name: user.name.isEmpty ? nil : user.name) }
}
