import Foundation
import Logging

/// Why a Google API call failed, in plain words (never raw JSON).
public enum GoogleError: Error, Equatable, CustomStringConvertible {
    /// The token lacks the service's scopes: the permission flow for it should start.
    case insufficientScope(Service)
    /// Google refuses the service for this account (Keep outside Workspace).
    case unavailable(Service)
    case notFound(String)
    case signInRequired(String)
    /// Google kept refusing for now; `until` is when it said to come back, if it did.
    case rateLimited(until: Date?)
    case server(status: Int, message: String)
    case rejected(status: Int, message: String)
    case network(String)

    public var description: String {
        switch self {
        case let .insufficientScope(service): return "lume-tui has no permission for \(service.rawValue) yet"
        case let .unavailable(service):
            return service == .keep ? "Keep is not available for this account (Google offers the Keep API to Workspace accounts only)"
                                    : "\(service.rawValue) is not available for this account"
        case let .notFound(what): return "\(what) was not found"
        case let .signInRequired(reason): return reason
        case let .rateLimited(until):
            guard let until else { return "Google is limiting requests right now; try again shortly" }
            let now = Date()
            return "Google asked to wait \(RetryWaits.duration(until.timeIntervalSince(now))); try again after \(LocalTime.current.clock(until))"
        case let .server(status, message): return "Google had a problem (HTTP \(status)): \(message)"
        case let .rejected(status, message): return "Google refused the request (HTTP \(status)): \(message)"
        case let .network(detail): return "cannot reach Google: \(detail)"
        }
    }
}

/// A record of the Google calls made while answering, stored with the reply.
public final class GoogleCallLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String] = []

    public init() {}

    func record(_ method: String, _ path: String, status: Int) {
        lock.withLock { entries.append("\(method) \(path) \(status)") }
    }

    public var calls: [String] { lock.withLock { entries } }

    /// The reply metadata recording the calls (`google_calls`); empty when none were made.
    public var metadata: [String: JSONValue] {
        let calls = self.calls
        return calls.isEmpty ? [:] : ["google_calls": .array(calls.map(JSONValue.string))]
    }
}

/// Authorized requests to Google's REST APIs over `HTTPClient`: a bearer token from
/// `AccessTokens`, one refresh and retry on 401, retries on 429/5xx as `RetryPolicy` says
/// (honouring Retry-After, announcing long waits), and Google's error bodies turned into
/// `GoogleError`.
public struct GoogleClient: Sendable {
    public let http: HTTPClient
    public let tokens: AccessTokens
    public let userID: Int64
    public let api: Config.GoogleAPI
    public let retry: RetryPolicy
    public let log: GoogleCallLog

    public init(http: HTTPClient, tokens: AccessTokens, userID: Int64, api: Config.GoogleAPI, retry: RetryPolicy = RetryPolicy(), log: GoogleCallLog = GoogleCallLog()) {
        self.http = http
        self.tokens = tokens
        self.userID = userID
        self.api = api
        self.retry = retry
        self.log = log
    }

    /// Sends a request to `base` + `path` with `query`, and returns the JSON answer.
    public func call(_ service: Service?, method: String = "GET", base: String, path: String,
                     query: [(String, String)] = [], body: JSONValue? = nil) async throws -> JSONValue {
        let url = FormEncoding.url(base + path, query)
        var token = try await accessToken()
        var refreshed = false
        var attempt = 0
        while true {
            attempt += 1
            var headers = [HTTPHeader.bearer(token), HTTPHeader("Accept", "application/json")]
            if body != nil { headers.append(HTTPHeader("Content-Type", "application/json; charset=utf-8")) }
            let response: HTTPResponse
            do {
                response = try await http.send(HTTPRequest(method: method, url: url, headers: headers, body: body.map { Data($0.text.utf8) }, timeout: 30))
            } catch let error as HTTPError {
                if error == .cancelled { throw CancellationError() }
                throw GoogleError.network("\(error)")
            }
            log.record(method, path, status: response.status)
            switch response.status {
            case 200..<300:
                if response.body.isEmpty { return .object([:]) }
                let json = JSONValue.parse(response.text)
                // An unreadable success must not pass for an empty result.
                guard json != .null else { throw GoogleError.rejected(status: response.status, message: "the answer was not JSON") }
                return json
            case 401 where !refreshed:
                refreshed = true
                token = try await refreshedToken()
            case 429, 500...599:
                switch retry.decide(attempt: attempt, retryAfter: response.header("Retry-After"), now: Date()) {
                case let .wait(seconds):
                    try await retry.wait(seconds, for: "Google")
                case let .giveUp(until):
                    throw response.status == 429 || until != nil
                        ? GoogleError.rateLimited(until: until)
                        : GoogleError.server(status: response.status, message: Self.message(response))
                }
            default:
                throw Self.error(response, service: service, path: path)
            }
        }
    }

    private func accessToken() async throws -> String {
        do { return try await tokens.accessToken(for: userID) } catch let error as AccessTokenError { throw GoogleError.signInRequired(error.description) }
    }

    private func refreshedToken() async throws -> String {
        do { return try await tokens.refreshedToken(for: userID) } catch let error as AccessTokenError { throw GoogleError.signInRequired(error.description) }
    }

    static func message(_ response: HTTPResponse) -> String {
        let json = JSONValue.parse(response.text)
        return json["error"]?["message"]?.stringValue ?? json["error"]?.stringValue ?? "no details"
    }

    static func error(_ response: HTTPResponse, service: Service?, path: String) -> GoogleError {
        let json = JSONValue.parse(response.text)
        let message = message(response)
        let reasons = (json["error"]?["details"]?.arrayValue ?? []).compactMap { $0["reason"]?.stringValue }
            + (json["error"]?["errors"]?.arrayValue ?? []).compactMap { $0["reason"]?.stringValue }
        switch response.status {
        case 401:
            return .signInRequired("Google no longer accepts lume-tui's access token; run `lume-tui login`")
        case 403:
            let scope = reasons.contains { $0 == "ACCESS_TOKEN_SCOPE_INSUFFICIENT" || $0 == "insufficientPermissions" }
                || message.lowercased().contains("insufficient authentication scopes")
            if let service {
                if scope { return .insufficientScope(service) }
                if service == .keep { return .unavailable(.keep) }
            }
            return .rejected(status: 403, message: message)
        case 404:
            return .notFound(path)
        default:
            return .rejected(status: response.status, message: message)
        }
    }

    /// Follows `nextPageToken` until `limit` items are gathered or the pages end.
    public func pages(_ service: Service?, base: String, path: String, query: [(String, String)], itemsKey: String, limit: Int) async throws -> [JSONValue] {
        var items: [JSONValue] = []
        var pageToken: String?
        repeat {
            let page = try await call(service, base: base, path: path, query: query + (pageToken.map { [("pageToken", $0)] } ?? []))
            items += page[itemsKey]?.arrayValue ?? []
            pageToken = page["nextPageToken"]?.stringValue
        } while pageToken != nil && items.count < limit
        return Array(items.prefix(limit))
    }
}
