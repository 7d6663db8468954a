import Foundation

/// Everything lume-tui can be configured with, already validated.
///
/// The defaults here are the single source of truth; `config.sample.toml` documents the same
/// values and a test keeps the two in step.
public struct Config: Equatable, Sendable {
    public var google = Google()
    public var googleAPI = GoogleAPI()
    public var oauth = OAuth()
    public var assistant = Assistant()
    public var storage = Storage()

    public init() {}

    public struct Google: Equatable, Sendable {
        public var clientID = ""
        public var clientSecret = ""
        public var issuer = "https://accounts.google.com"
        public var authorizationEndpoint = "https://accounts.google.com/o/oauth2/v2/auth"
        public var tokenEndpoint = "https://oauth2.googleapis.com/token"
        public var revocationEndpoint = "https://oauth2.googleapis.com/revoke"
        public var userinfoEndpoint = "https://openidconnect.googleapis.com/v1/userinfo"
        public init() {}
    }

    /// Base URLs of Google's APIs; the clients append Google's documented resource paths.
    public struct GoogleAPI: Equatable, Sendable {
        public var gmail = "https://gmail.googleapis.com/gmail/v1"
        public var calendar = "https://www.googleapis.com/calendar/v3"
        public var tasks = "https://tasks.googleapis.com/tasks/v1"
        public var keep = "https://keep.googleapis.com/v1"
        public var people = "https://people.googleapis.com/v1"
        public init() {}
    }

    public struct OAuth: Equatable, Sendable {
        /// The loopback listener's address: always an IP literal on the loopback interface.
        public var host = "127.0.0.1"
        /// 0 asks the kernel for any free port.
        public var port = 0
        /// Seconds to wait for the browser to come back (2FA and consent screens take time).
        public var timeout = 600
        /// A command; the URL is passed as its last argument. Empty: `$BROWSER`, then the platform opener.
        public var browser = ""
        public init() {}
    }

    public enum Provider: String, Equatable, Sendable, CaseIterable {
        case builtin
        case openai
    }

    public struct Assistant: Equatable, Sendable {
        public var provider = Provider.builtin
        public var baseURL = "http://127.0.0.1:11434/v1"
        public var model = ""
        /// The name of the environment variable holding the key; the key itself is never stored.
        public var apiKeyEnv = "OPENAI_API_KEY"
        /// Roughly how many tokens of earlier conversation an LLM is sent with each message.
        public var historyBudget = 8000
        public init() {}
    }

    public struct Storage: Equatable, Sendable {
        /// Empty means the XDG default (see `AppPaths`).
        public var path = ""
        public init() {}
    }
}
