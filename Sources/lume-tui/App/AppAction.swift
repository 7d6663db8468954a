import Foundation
import LumeKit

/// A key as the UI understands it, decoded from curses by the terminal layer.
enum Key: Equatable, Sendable {
    case character(Character)
    case enter
    /// Alt-Enter and Ctrl-J: a newline in the prompt.
    case newline
    case tab
    case backTab
    case backspace
    case delete
    case escape
    case up, down, left, right
    case home, end, pageUp, pageDown
    case ctrlLeft, ctrlRight
    case altUp, altDown
    /// Ctrl + a letter (lower case).
    case ctrl(Character)
    /// Alt + a character.
    case alt(Character)
    case function(Int)
}

/// Something that happened: a key, a result from the database or the network, a tick.
/// `update` turns it into a new state and effects.
enum AppAction: Equatable, Sendable {
    case started
    case keyPressed(Key)
    /// Several printable characters read at once: a fast typist, or a paste from a terminal
    /// without bracketed paste. Means exactly what pressing each in turn means; the prompt
    /// takes them in one edit, so a big paste costs its length, not its length squared.
    case typed(String)
    /// Bracketed paste: arrives as one piece, never as keystrokes that could send it.
    case pasted(String)
    case resized(Size)
    case ticked(Date)
    case conversationsLoaded([Conversation], appended: Bool, hasMore: Bool)
    case conversationOpened(Conversation, [Message], hasEarlier: Bool)
    case earlierMessagesLoaded(conversationID: Int64, [Message], hasEarlier: Bool)
    case laterMessagesLoaded(conversationID: Int64, [Message], hasLater: Bool)
    case promptHistoryLoaded([String])
    case draftLoaded(DraftScope, String)
    case accountLoaded(AccountSummary)
    case userMessageStored(Message, Conversation)
    case permissionNeeded(message: Message, missing: [Service])
    case replyStarted(Message)
    case replyChunkReceived(messageID: Int64, text: String)
    case replyFinished(Message)
    /// Google asked to wait before it answers again; the reply or action waits that long.
    case waitAnnounced(RetryNotice)
    /// A drafted action was confirmed or declined; `outcome` says what happened.
    case actionSettled(outcome: Message)
    /// The draft as it stands after the user edited it (or as it was, if the edit was not used).
    case draftRevised(Message)
    case searchCompleted(query: String, [SearchHit])
    case conversationRenamed(id: Int64, title: String)
    case conversationDeleted(id: Int64)
    case conversationArchived(id: Int64)
    case signInPromptReady(SignInPrompt)
    case signInFinished(SignInFinish)
    case pastedURLRejected(String)
    case editorFinished(String?)
    case copied(String)
    case failed(String)
    case connectivityChanged(online: Bool)
    case terminateRequested
}

/// How a sign-in effect ended, as the UI needs it.
enum SignInFinish: Equatable, Sendable {
    case succeeded(SignInReport)
    case failed(stage: SignInStage, message: String, declined: Bool)
}

/// Something to do, as data: the runtime carries it out and answers with actions.
enum Effect: Equatable, Sendable {
    case loadConversations(after: ConversationCursor?, limit: Int)
    case openConversation(id: Int64, limit: Int)
    case loadEarlierMessages(conversationID: Int64, beforeID: Int64, limit: Int)
    case loadLaterMessages(conversationID: Int64, afterID: Int64, limit: Int)
    case loadPromptHistory
    case loadDraft(DraftScope)
    case saveDraft(DraftScope, String)
    case loadAccount
    /// Detect services, store the user message (creating the conversation if needed),
    /// then answer it or ask for permissions.
    case sendMessage(conversationID: Int64?, text: String)
    /// Answer a stored user message with the services the user allowed.
    case answer(Message)
    case settleAction(draft: Message, confirmed: Bool)
    case editDraft(Message)
    case cancelReply
    case search(String)
    case rename(id: Int64, title: String)
    case delete(id: Int64)
    case archive(id: Int64)
    case signIn(SignInStage)
    case submitPastedURL(String)
    case reopenBrowser
    case cancelSignIn
    case openEditor(String)
    case copyToClipboard(String, what: String)
    case probeConnectivity
    case quit
}

/// The signed-in account and each service's state, for the status line and dialogs.
struct AccountSummary: Equatable, Sendable {
    var email: String?
    var states: [Service: PermissionState]
    var clientConfigured: Bool

    static let signedOut = AccountSummary(email: nil, states: [:], clientConfigured: false)

    func isGranted(_ service: Service) -> Bool { states[service] == .granted }
}
