/// What a message asks for, from a fixed vocabulary: the first thing understanding
/// decides, and the name reported as `metadata.intent` and by `detect --explain`.
public enum Action: String, CaseIterable, Codable, Sendable {
    case agenda
    case findEvent = "find_event"
    case nextEvent = "next_event"
    case checkFree = "check_free"
    case findFree = "find_free"
    case createEvent = "create_event"
    case updateEvent = "update_event"
    case cancelEvent = "cancel_event"
    case searchMail = "search_mail"
    case readMail = "read_mail"
    case composeMail = "compose_mail"
    case replyMail = "reply_mail"
    case forwardMail = "forward_mail"
    case archiveMail = "archive_mail"
    case findContact = "find_contact"
    case addContact = "add_contact"
    case listTasks = "list_tasks"
    case addTask = "add_task"
    case completeTask = "complete_task"
    case deleteTask = "delete_task"
    case updateTask = "update_task"
    case listNotes = "list_notes"
    case addNote = "add_note"
    case deleteNote = "delete_note"
    case greeting
    case help
    /// A request whose kind is clear but not which one (a list: tasks or a note?).
    case clarify
    /// Needs no Google service: a question, a conversation, a programmer's how-to.
    case chat
    /// A Google request lume-tui deliberately does not carry out.
    case unsupported

    /// The Google service the action works on; nil for contacts (a base permission) and
    /// for actions that need none.
    public var service: Service? {
        switch family {
        case .calQuery, .calFree, .calSet, .calUpdate, .calRemove: return .calendar
        case .mailQuery, .mailSend: return .email
        case .listQuery, .listAdd, .listRemove:
            return [.listNotes, .addNote, .deleteNote].contains(self) ? .keep : .tasks
        case .contactQuery, .contactAdd, .none: return nil
        }
    }

    /// Whether carrying it out changes something in the user's account (and so is drafted
    /// and confirmed first).
    public var writes: Bool {
        switch self {
        case .createEvent, .updateEvent, .cancelEvent, .composeMail, .replyMail, .forwardMail, .archiveMail, .addContact,
             .addTask, .completeTask, .deleteTask, .updateTask, .addNote, .deleteNote:
            return true
        default:
            return false
        }
    }

    public var family: ActionFamily {
        switch self {
        case .agenda, .findEvent, .nextEvent: return .calQuery
        case .checkFree, .findFree: return .calFree
        case .createEvent: return .calSet
        case .updateEvent: return .calUpdate
        case .cancelEvent: return .calRemove
        case .searchMail, .readMail, .archiveMail: return .mailQuery
        case .composeMail, .replyMail, .forwardMail: return .mailSend
        case .findContact: return .contactQuery
        case .addContact: return .contactAdd
        case .listTasks, .listNotes: return .listQuery
        case .addTask, .addNote: return .listAdd
        case .completeTask, .deleteTask, .updateTask, .deleteNote: return .listRemove
        case .greeting, .help, .clarify, .chat, .unsupported: return .none
        }
    }
}

/// The kinds of request the learned model tells apart. They are the public corpora's
/// intents grouped by what lume-tui would do (data/understanding/README.md); the exact
/// `Action` within a family is read from the words and details.
public enum ActionFamily: String, CaseIterable, Codable, Sendable {
    case calQuery = "cal_query"
    case calFree = "cal_free"
    case calSet = "cal_set"
    case calUpdate = "cal_update"
    case calRemove = "cal_remove"
    case mailQuery = "mail_query"
    case mailSend = "mail_send"
    case contactQuery = "contact_query"
    case contactAdd = "contact_add"
    case listQuery = "list_query"
    case listAdd = "list_add"
    case listRemove = "list_remove"
    case none

    /// The services a family can act on.
    public var services: Set<Service> {
        switch self {
        case .calQuery, .calFree, .calSet, .calUpdate, .calRemove: return [.calendar]
        case .mailQuery, .mailSend: return [.email]
        case .listQuery, .listAdd, .listRemove: return [.tasks, .keep]
        case .contactQuery, .contactAdd, .none: return []
        }
    }

    /// The family of a public corpus intent (`slurp:calendar_set`, `clinc:todo_list`, an
    /// SGD intent), or nil for intents that need no Google service.
    public static func of(sourceIntent: String) -> ActionFamily? {
        switch sourceIntent {
        case "slurp:calendar_query", "clinc:calendar", "GetEvents": return .calQuery
        case "GetAvailableTime": return .calFree
        case "slurp:calendar_set", "clinc:schedule_meeting", "clinc:meeting_schedule", "AddEvent": return .calSet
        case "clinc:calendar_update": return .calUpdate
        case "slurp:calendar_remove": return .calRemove
        case "slurp:email_query": return .mailQuery
        case "slurp:email_sendemail": return .mailSend
        case "slurp:email_querycontact": return .contactQuery
        case "slurp:email_addcontact": return .contactAdd
        case "slurp:lists_query", "clinc:todo_list", "clinc:shopping_list", "clinc:reminder": return .listQuery
        case "slurp:lists_createoradd", "clinc:todo_list_update", "clinc:shopping_list_update", "clinc:reminder_update": return .listAdd
        case "slurp:lists_remove": return .listRemove
        default: return nil
        }
    }
}
