import Foundation
import LumeKit

/// Everything the UI shows, as plain data. Only `update` changes it.
struct AppState: Equatable {
    var size: Size
    var now: Date
    var focus: Focus = .prompt
    var showList = true
    var list = ConversationList()
    var transcript = Transcript()
    var prompt = PromptEditor()
    var history = PromptHistory()
    var overlay: Overlay?
    var account = AccountSummary.signedOut
    var providerName: String
    var connectivity: Connectivity = .unknown
    var notice: Notice?
    /// The reply being streamed, if any.
    var replyingTo: Int64?
    var noColor: Bool
    var configFile: String
    var quitting = false
    /// Ctrl-X was pressed: the next key completes a chord (Ctrl-X Ctrl-E).
    var pendingChord = false
    /// The zone times are shown in; the runner sets the user's, so `update` and `render`
    /// never read the process environment.
    var time = LocalTime.utc

    init(size: Size, now: Date, providerName: String, noColor: Bool, configFile: String) {
        self.size = size
        self.now = now
        self.providerName = providerName
        self.noColor = noColor
        self.configFile = configFile
    }

    enum Focus: Equatable { case prompt, list }
    enum Connectivity: Equatable { case unknown, online, offline }

    var draftScope: DraftScope { transcript.conversationID.map(DraftScope.conversation) ?? .newConversation }
}

/// A message shown on the status line until it expires.
struct Notice: Equatable {
    enum Kind: Equatable { case info, warning, error }
    var text: String
    var kind: Kind
    var until: Date
}

/// The conversation list: a page at a time, newest activity first.
struct ConversationList: Equatable {
    var rows: [Conversation] = []
    var selected = 0
    var hasMore = false
    var loading = false
    static let pageSize = 100
}

/// The open conversation: a window of its messages, and where the view is scrolled.
struct Transcript: Equatable {
    var conversationID: Int64?
    var title = ""
    var messages: [Message] = []
    var hasEarlier = false
    var loadingEarlier = false
    /// Messages after the window were dropped (scrolled far up); they load again on the way down.
    var hasLater = false
    var loadingLater = false
    /// Lines scrolled up from the bottom; 0 follows the newest text.
    var scrollFromBottom = 0
    /// The message at the bottom edge of the view while scrolled up, and how many of its
    /// lines are below that edge: the view stays put when messages load or leave below it.
    var anchor: (id: Int64, hiddenLines: Int)?
    /// A message to bring into view (a search result).
    var highlight: Int64?
    /// Messages loaded per page.
    static let windowSize = 200
    /// At most this many messages are held; the farthest from the view are let go.
    static let maxWindow = 600

    static func == (lhs: Transcript, rhs: Transcript) -> Bool {
        lhs.conversationID == rhs.conversationID && lhs.title == rhs.title && lhs.messages == rhs.messages
            && lhs.hasEarlier == rhs.hasEarlier && lhs.loadingEarlier == rhs.loadingEarlier && lhs.hasLater == rhs.hasLater
            && lhs.loadingLater == rhs.loadingLater && lhs.scrollFromBottom == rhs.scrollFromBottom
            && lhs.anchor?.id == rhs.anchor?.id && lhs.anchor?.hiddenLines == rhs.anchor?.hiddenLines && lhs.highlight == rhs.highlight
    }
}

/// Up/Down recall of earlier prompts (kept across runs: they are the stored user messages).
struct PromptHistory: Equatable {
    var entries: [String] = []
    /// Index into `entries` while browsing; nil when editing a fresh prompt.
    var position: Int?
    /// What was being typed before browsing started.
    var stash = ""
}

/// What covers the main view.
enum Overlay: Equatable {
    case help
    case search(SearchPanel)
    case rename(id: Int64, field: PromptEditor)
    case confirmDelete(id: Int64, title: String)
    case permission(PermissionDialog)
    case confirmAction(ActionDialog)
    case signIn(SignInPanel)
    case tooSmall
}

struct SearchPanel: Equatable {
    var field = PromptEditor()
    var results: [SearchHit] = []
    var selected = 0
    var searchedFor = ""
}

/// "Send this email?": a drafted write shown in full, done only on a yes.
struct ActionDialog: Equatable {
    /// The reply that holds the draft.
    var draft: Message
    var question: String
    var lines: [String]
    var verb: String
    /// Whether `e` opens the draft in the editor (email drafts).
    var editable = false

    /// The dialog for a reply whose draft still waits for an answer.
    static func pending(in message: Message, time: LocalTime) -> ActionDialog? {
        guard let (action, status) = PendingAction.of(message), status == .pending else { return nil }
        return ActionDialog(draft: message, question: action.question, lines: action.draftLines(time), verb: action.verb,
                            editable: action.editableText != nil)
    }
}

/// "This message needs Google access": the services with check boxes.
struct PermissionDialog: Equatable {
    var message: Message
    var services: [Service]
    var checked: Set<Service>
    var selected = 0
    var signedIn: Bool
    /// Explanations once an attempt ended (declined, partial, unavailable).
    var explanation: String?
}

/// A sign-in running in the browser.
struct SignInPanel: Equatable {
    var stage: SignInStage
    var prompt: SignInPrompt?
    /// Stages still to run after this one (Stage 2 after Stage 1; Keep on its own).
    var queue: [SignInStage]
    /// The message to answer once done.
    var pending: Message?
    /// Pasting the URL the browser ended on (for remote machines).
    var pasteField: PromptEditor?
    var problem: String?
    /// What the finished stages said, shown in the dialog at the end.
    var results: [String] = []
    /// Services a finished stage did not grant, and why.
    var refused: [Service: PermissionStatus] = [:]

    /// The services this attempt and the stages after it ask for.
    var services: [Service] {
        ([stage] + queue).flatMap { stage -> [Service] in
            if case let .services(services) = stage { return services }
            return []
        }
    }
}
