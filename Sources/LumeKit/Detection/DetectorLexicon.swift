/// The word lists behind the detector's rules and group features. Written by hand for
/// lume-tui; the learned weights (DetectorWeights.swift) decide how much each one counts.
enum DetectorLexicon {
    /// Punctuation that ends a clause.
    static func isClausePunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case ".", "!", "?", ";", ",", ":", "\n", "\u{3002}", "\u{FF01}", "\u{FF1F}": true
        default: false
        }
    }

    /// Characters that rarely appear in chat but often in code and commands.
    static func isCodePunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "`", "{", "}", "(", ")", "[", "]", "=", "<", ">", "$", "|", "\\", "#", "*", "~", "^": true
        default: false
        }
    }

    static let contractions: [String: [String]] = [
        "don't": ["do", "not"], "dont": ["do", "not"], "doesn't": ["does", "not"], "didn't": ["did", "not"],
        "can't": ["can", "not"], "cant": ["can", "not"], "cannot": ["can", "not"], "won't": ["will", "not"],
        "wont": ["will", "not"], "isn't": ["is", "not"], "aren't": ["are", "not"], "wasn't": ["was", "not"],
        "shouldn't": ["should", "not"], "wouldn't": ["would", "not"], "couldn't": ["could", "not"],
        "haven't": ["have", "not"], "hasn't": ["has", "not"], "what's": ["what", "is"], "whats": ["what", "is"],
        "where's": ["where", "is"], "when's": ["when", "is"], "who's": ["who", "is"], "how's": ["how", "is"],
        "that's": ["that", "is"], "there's": ["there", "is"], "it's": ["it", "is"], "let's": ["let", "us"],
        "i'm": ["i", "am"], "im": ["i", "am"], "i've": ["i", "have"], "i'd": ["i", "would"], "i'll": ["i", "will"],
        "you're": ["you", "are"], "we're": ["we", "are"], "they're": ["they", "are"],
    ]

    /// One spelling for words people hyphenate or space differently.
    static let joinedSpellings: [String: String] = [
        "e-mail": "email", "e-mails": "emails", "e-mailed": "emailed", "e-mailing": "emailing",
        "to-do": "todo", "to-dos": "todos", "to-do's": "todos", "g-mail": "gmail",
        "follow-up": "followup", "check-in": "checkin", "re-schedule": "reschedule",
    ]

    static let questionStarts: Set<String> = [
        "what", "when", "where", "who", "which", "how", "why", "is", "are", "am", "do", "does", "did",
        "can", "could", "will", "would", "should", "have", "has", "any",
    ]

    /// Words after which "and"/"then" starts a new request.
    static let clauseJoiners: Set<String> = ["and", "then", "also", "plus"]

    /// Verbs that begin a request; used to split clauses and to scope negation.
    static let actionVerbs: Set<String> = [
        "add", "book", "cancel", "check", "complete", "create", "delete", "draft", "email", "mail", "find",
        "forward", "invite", "jot", "list", "make", "mark", "message", "move", "note", "put", "read",
        "remind", "remove", "reply", "reschedule", "schedule", "search", "send", "set", "show", "tell",
        "update", "write", "text", "ping", "plan", "organize", "organise", "block", "save", "record",
        "emailing", "mailing", "sending", "scheduling", "adding", "creating", "booking", "writing",
        "contact", "notify", "cc", "bcc", "look", "clear", "change", "respond", "answer",
    ]

    /// Nouns that name a service's objects; a negation cue before one of them also negates.
    static let serviceNouns: Set<String> = [
        "email", "emails", "mail", "gmail", "inbox", "calendar", "meeting", "meetings", "event", "events",
        "appointment", "invite", "task", "tasks", "todo", "todos", "reminder", "reminders", "note", "notes",
        "keep", "list",
    ]

    /// Little words trimmed from the ends of evidence phrases.
    static let evidenceStopwords: Set<String> = [
        "a", "an", "the", "i", "me", "my", "to", "of", "on", "in", "at", "for", "is", "am", "are", "do", "does",
        "and", "please", "can", "could", "you", "it", "this", "that", "what", "any", "be", "with", "there",
        "have", "has", "will", "would", "us", "we", "our", "your", "some", "from", "about", "just",
    ]

    /// Words skipped when looking for what a negation applies to.
    static let fillers: Set<String> = ["a", "an", "the", "to", "any", "this", "that", "it", "them", "him", "her"]

    /// Things whose content follows them ("a task to …", "a note about …").
    static let payloadHolders: Set<String> = ["task", "todo", "reminder", "note", "memo", "notes"]
    static let payloadOpeners: Set<String> = ["to", "that", "about", "saying", "called", "named", "titled", "re", "of"]

    /// Words that end a negated instruction ("don't email him, just add a task").
    static let negationEnders: Set<String> = ["just", "only", "but", "instead", "rather", "and"]

    /// Returns how many words the negation cue at `index` spans, if one starts there.
    static func negationCueLength(_ words: [DetectorText.Word], at index: Int) -> Int? {
        guard words[index].traits.contains(.negationCue) else { return nil }
        let word = words[index].text
        let next = index + 1 < words.count ? words[index + 1].text : ""
        switch word {
        case "not", "never", "without", "skip", "nor": return 1
        case "no" where next == "need" || next == "reason": return 2
        case "no": return 1
        case "instead" where next == "of": return 2
        case "rather" where next == "than": return 2
        case "stop": return 1
        default: return nil
        }
    }

    // MARK: Groups (features the model weighs)

    static let mailWords: Set<String> = [
        "email", "emails", "emailed", "emailing", "mail", "mails", "gmail", "inbox", "unread", "sender",
        "subject", "reply", "replied", "forward", "forwarded", "cc", "bcc", "attachment", "attachments",
        "outbox", "spam", "drafts", "newsletter", "newsletters",
    ]
    static let calendarWords: Set<String> = [
        "calendar", "calendars", "meeting", "meetings", "appointment", "appointments", "schedule",
        "scheduled", "agenda", "event", "events", "invite", "invitation", "rsvp", "reschedule", "busy",
        "free", "available", "availability", "booked", "standup", "1:1", "sync", "call",
    ]
    static let taskWords: Set<String> = [
        "task", "tasks", "todo", "todos", "reminder", "reminders", "remind", "chore", "chores",
        "deadline", "due", "errand", "errands", "checklist",
    ]
    static let keepWords: Set<String> = [
        "note", "notes", "jot", "notebook", "list", "lists", "shopping", "grocery", "groceries",
        "keep", "memo", "idea", "ideas", "wishlist",
    ]
    static let timeWords: Set<String> = [
        "today", "tonight", "tomorrow", "yesterday", "monday", "tuesday", "wednesday", "thursday",
        "friday", "saturday", "sunday", "weekend", "week", "morning", "afternoon", "evening", "noon",
        "midnight", "am", "pm", "o'clock", "oclock", "january", "february", "march", "april", "may", "june",
        "july", "august", "september", "october", "november", "december", "next", "later",
    ]

    /// Words that put a message in a programmer's world on their own: languages, tools,
    /// and programming terms with no everyday sense. "send a POST request", "list
    /// comprehension" and "git notes" need no service.
    static let developerWords: Set<String> = [
        // languages, formats, runtimes
        "python", "python3", "javascript", "typescript", "js", "nodejs", "php", "golang", "kotlin", "scala",
        "haskell", "c++", "cpp", "csharp", "bash", "zsh", "powershell", "sql", "mysql", "postgres",
        "postgresql", "sqlite", "sqlite3", "mongodb", "redis", "html", "css", "json", "yaml", "xml", "csv",
        "regex", "regexp", "matlab", "elixir", "erlang", "jsonb", "tsql", "plsql", "perl", "lua",
        // tools and platforms
        "git", "github", "gitlab", "svn", "docker", "kubectl", "kubernetes", "k8s", "helm", "terraform",
        "ansible", "npm", "pip", "yarn", "maven", "gradle", "cmake", "gcc", "clang", "vim", "emacs", "tmux",
        "ssh", "scp", "rsync", "curl", "wget", "grep", "sed", "awk", "xargs", "chmod", "chown", "systemctl",
        "journalctl", "crontab", "linux", "unix", "ubuntu", "debian", "macos", "nginx", "django", "flask",
        "numpy", "pandas", "matplotlib", "tensorflow", "pytorch", "jupyter", "vba", "jquery", "ajax",
        "webpack", "eslint", "pytest", "junit", "jenkins", "kafka", "elasticsearch", "graphql", "grpc",
        "protobuf", "gzip", "ffmpeg", "imagemagick", "openssl", "gpg", "dpkg", "rpm", "yum", "dnf", "pacman",
        "flatpak", "adb", "xcode", "vscode", "sudo", "stdin", "stdout", "stderr", "posix", "api", "apis",
        "sdk", "cli", "http", "https", "tcp", "udp", "dns", "smtp", "imap", "websocket", "webhook",
        "webhooks", "oauth", "jwt", "endpoint", "endpoints", "localhost", "virtualenv", "venv", "conda",
        "kwargs", "argv", "stdlib", "sendmail", "postfix", "maildir", "mutt", "nodejs", "qemu", "vagrant",
        "smtplib", "nodemailer", "sendgrid", "mailgun", "mailchimp", "phpmailer", "javamail", "mailx",
        "iptables", "btrfs", "zfs", "lvm", "fstab", "inode", "initramfs", "grub", "mkdir", "rmdir", "ls",
        "cd", "cp", "mv", "rm", "cat", "tail", "less", "echo", "ps", "kill", "df", "du", "lsof", "netstat",
        // programming terms with no everyday sense
        "function", "functions", "variable", "variables", "array", "arrays", "dict", "dictionary",
        "dictionaries", "tuple", "tuples", "integer", "integers", "int", "float", "floats", "boolean",
        "bool", "char", "pointer", "pointers", "struct", "enum", "compile", "compiler", "runtime",
        "exception", "exceptions", "iterator", "iterate", "iterating", "recursion", "recursive", "closure",
        "callback", "async", "await", "coroutine", "mutex", "dataframe", "hashmap", "serialize",
        "deserialize", "utf", "utf8", "unicode", "ascii", "datetime", "timestamp", "timestamps", "epoch",
        "printf", "null", "nil", "undefined", "filename", "filenames", "directory", "directories",
        "repository", "repo", "rebase", "subprocess", "substring", "substrings", "whitespace", "newline",
        "delimiter", "bitwise", "symlink", "varchar", "blob", "upsert", "constructor", "inheritance",
        "typeerror", "syntax", "semicolon", "wildcard", "regexes", "subdirectories", "subdirectory",
        "recursively", "namespace", "namespaces", "codebase", "stackoverflow", "lambda", "dataframes",
        "queryset", "orm", "sdk", "daemon", "executable", "binaries", "cronjob", "dockerfile", "makefile",
        "readme", "changelog", "unittest", "stacktrace", "traceback", "segfault", "localhost", "env",
        "config", "sys", "os", "argparse", "stdout", "nan", "dtype", "ndarray", "str", "len", "sprintf",
    ]

    /// Words that lean technical but have everyday senses too ("file", "table", "order"):
    /// they count towards a programmer's context only in numbers.
    static let technicalWords: Set<String> = [
        "file", "files", "folder", "folders", "path", "paths", "command", "commands", "terminal",
        "console", "script", "scripts", "string", "strings", "list", "lists", "element", "elements",
        "item", "items", "key", "keys", "value", "values", "column", "columns", "row", "rows", "table",
        "tables", "query", "queries", "database", "schema", "index", "indices", "object", "objects",
        "class", "classes", "method", "methods", "module", "package", "packages", "library", "import",
        "error", "errors", "stack", "queue", "thread", "threads", "process", "processes", "signal",
        "socket", "buffer", "stream", "loop", "loops", "node", "nodes", "tree", "graph", "hash", "sort",
        "sorted", "sorting", "reverse", "filter", "map", "append", "concatenate", "split", "join",
        "merge", "parse", "parsing", "encode", "decode", "encoding", "format", "formatting", "print",
        "output", "input", "argument", "arguments", "parameter", "parameters", "return", "returns",
        "branch", "commit", "commits", "diff", "patch", "tag", "tags", "container", "containers", "image",
        "images", "pod", "pods", "cluster", "configuration", "environment", "binary", "flag", "flags",
        "option", "options", "server", "servers", "client", "request", "requests", "response", "header",
        "headers", "payload", "cookie", "session", "cache", "log", "logs", "debug", "test", "tests",
        "character", "characters", "line", "lines", "nested", "duplicate", "duplicates", "unique",
        "length", "size", "count", "sum", "max", "min", "numeric", "decimal", "hex", "permissions",
        "mount", "partition", "disk", "memory", "cpu", "kernel", "interface", "button", "checkbox",
        "dropdown", "select", "insert", "update", "delete", "group", "order", "model", "type", "types",
        "attribute", "attributes", "property", "instance", "version", "install", "installed", "build",
        "deploy", "pipeline", "port", "url", "urls", "server", "field", "fields", "record", "records",
        "convert", "converting", "pattern", "matching", "specified", "specific", "given", "current",
        "default", "display", "contents", "content", "text", "data", "network", "remote", "local",
        "user", "users", "system", "package", "match", "matches", "regex", "number", "numbers", "random",
        "multiple", "first", "last", "object", "compressed", "archive", "mode", "cursor", "window",
    ]

    // MARK: Technical senses of service words

    /// Words that name a service's objects and also have technical senses.
    static let serviceSenseWords: Set<String> = [
        "email", "emails", "mail", "mails", "message", "messages", "event", "events", "task", "tasks",
        "note", "notes", "list", "lists", "calendar", "schedule", "scheduled", "scheduling", "reminder",
        "reminders", "date", "dates", "meeting", "meetings", "inbox", "keep", "todo", "todos", "notification",
        "notifications", "agenda", "appointment", "appointments",
    ]

    static let personalWords: Set<String> = ["my", "me", "i", "our", "us", "mine", "we"]

    /// Service words that are too common in technical text to count on their own.
    static let weakServiceWords: Set<String> = [
        "list", "lists", "task", "tasks", "event", "events", "message", "messages", "note", "notes",
        "schedule", "scheduled", "date", "dates", "notification", "notifications",
    ]

    /// "the list", "that task": a determiner that points at the user's own thing.
    static let ownershipDeterminers: Set<String> = ["the", "this", "that", "these", "those", "your", "his", "her", "their"]

    /// Words that, near a weak service word, make it the user's (with people and times):
    /// the verbs and nouns of managing mail, a diary, to-dos and notes.
    static let serviceSupportWords: Set<String> = [
        "add", "added", "create", "new", "remind", "reminder", "due", "complete", "completed", "done",
        "finish", "finished", "put", "jot", "take", "make", "write", "save", "remember", "forget", "buy",
        "shopping", "grocery", "groceries", "todo", "calendar", "email", "inbox", "meeting",
        "meetings", "appointment", "birthday", "party", "upcoming", "plan", "plans", "holiday", "vacation",
        "friend", "friends", "mom", "dad", "wife", "husband", "boss", "team", "family", "doctor", "dentist",
        "keep", "google", "gmail", "unread", "reply", "received", "packing", "wish", "bucket", "chores",
        "errands", "book",
    ]

    /// The words a service needs somewhere in the text before the model may flag it: a
    /// request for mail mentions mail (or sending, replying…), one for the diary a time or
    /// an occasion, and so on. Without one, "Create a new ZFS filesystem" could score on
    /// "create a new" alone.
    static let emailAnchors: Set<String> = mailWords.union([
        "message", "messages", "send", "sent", "write", "wrote", "reply", "respond", "responded", "forward",
        "contact", "contacts", "address", "received",
    ])
    static let calendarAnchors: Set<String> = calendarWords.union(timeWords).union([
        "birthday", "birthdays", "party", "appointment", "dinner", "lunch", "breakfast", "date", "dates",
        "plans", "plan", "planned", "holiday", "holidays", "vacation", "anniversary", "remind", "reminder",
        "reminders", "wedding", "concert", "trip", "flight", "class", "gym", "dentist", "doctor", "interview",
        "week", "weekend", "month", "year", "day", "days", "hour", "hours", "minutes", "time", "alert",
        "alerts", "occasion", "conference", "presentation", "deadline", "happening", "going", "doing",
    ])
    static let tasksAnchors: Set<String> = taskWords.union([
        "list", "lists", "todo", "do", "done", "need", "needs", "complete", "finish", "forget", "remember",
        "things", "stuff", "pending",
    ])
    static let keepAnchors: Set<String> = keepWords.union([
        "list", "lists", "save", "remember", "write", "note", "buy", "need", "items",
    ])

    /// Nouns that make an adjacent service word technical: "mail queue", "event loop".
    static let technicalNouns: Set<String> = [
        "queue", "queues", "server", "servers", "header", "headers", "loop", "loops", "listener", "listeners",
        "handler", "handlers", "log", "logs", "id", "ids", "priority", "field", "fields", "column", "columns",
        "table", "tables", "item", "items", "element", "elements", "comprehension", "comprehensions",
        "manager", "runner", "runners", "scheduler", "schedulers", "worker", "workers", "broker", "bus",
        "stream", "streams", "codes", "source", "format", "formats", "string", "strings", "parser", "api",
        "client", "clients", "relay", "daemon", "agent", "protocol", "payload", "payloads", "template",
        "templates", "validation", "validator", "regex", "hook", "hooks", "trigger", "triggers",
        "subscription", "topic", "topics", "sourcing", "driven", "emitter", "emitters", "dispatcher", "pool",
        "module", "library", "widget", "component", "picker", "app", "apps", "file", "files", "offset",
        "offsets", "segment", "segments", "section", "sections", "dump", "device", "devices", "system",
        "kernel", "login", "keyboard", "mouse", "touchscreen", "udev", "audit", "gui", "ui", "db",
        "database", "record", "records", "struct", "class", "instance", "instances", "variable",
        "variables", "value", "values", "node", "nodes", "index", "indexes", "slice", "generator",
        "generators", "permutations", "position", "length", "type", "types", "object", "objects", "author",
        "committer", "configured", "config", "configuration", "limit", "limits", "uuid", "spool", "mta",
        "smtp", "imap", "mime", "entity", "entities", "schema", "endpoint", "endpoints", "storage", "buffer",
        "buffers", "sequence", "sequences", "tuple", "tuples", "array", "arrays", "dict", "dictionary",
        "vector", "matrix", "dataframe", "iterator", "key", "keys", "pair", "pairs", "state", "machine",
        "thread", "threads", "job", "jobs", "cron", "crontab", "expression", "timestamp", "timestamps",
        "parsing", "package", "packages", "dependency", "dependencies", "plugin", "plugins", "script",
        "scripts", "command", "commands", "terminal", "console", "shell", "git", "commit", "commits",
        "sql", "python", "json", "xml", "csv", "html", "http", "sorting", "sorted", "nested", "linked",
        "comprehension", "processing", "notification", "syntax", "module", "modules", "column",
        "datetime", "utc", "epoch", "unix", "posix", "iso", "string", "dtype", "wayland", "midi", "input",
        "socket", "sockets", "channel", "channels", "pipe", "pipes", "port", "ports", "packet", "packets",
    ]

    /// Verbs whose object is data, not the user's mail or diary: "monitor all events",
    /// "flatten a list", "enqueue a task".
    static let technicalVerbs: Set<String> = [
        "monitor", "watch", "listen", "dump", "grab", "trace", "capture", "emit", "dispatch", "handle",
        "subscribe", "publish", "consume", "enqueue", "dequeue", "stash", "resubmit", "pause", "execute",
        "rerun", "kill", "flush", "parse", "serialize", "deserialize", "validate", "print", "echo",
        "generate", "extract", "compare", "sort", "filter", "iterate", "convert", "count", "append", "pop",
        "push", "shuffle", "reverse", "flatten", "concatenate", "fetch", "mock", "stub", "render",
        "compile", "encode", "decode", "hash", "escape", "sanitize", "truncate", "lint", "benchmark",
        "enable", "disable", "configure", "register", "unregister", "spawn", "fork", "poll", "retry",
        "throttle", "persist", "import", "export", "dedupe", "deduplicate", "permute", "transpose", "zip",
        "unzip", "slice", "strip", "trim", "grep", "pipe", "redirect", "broadcast", "multicast", "route",
        "inspect", "introspect", "profile", "instrument", "visualize", "plot", "run", "perform", "iterating",
        "sorting", "parsing", "converting", "comparing", "printing", "debug", "debugging", "simulate",
        "randomly", "index", "map", "reduce", "queue",
    ]

    /// Objects of "send" that make it a technical send: "send a GET request", "send SIGTERM".
    static let technicalObjects: Set<String> = [
        "request", "requests", "signal", "signals", "command", "commands", "packet", "packets", "data",
        "file", "files", "bytes", "payload", "query", "queries", "keystrokes", "keys", "output", "input",
        "sigterm", "sigkill", "sighup", "sigint", "ping", "pings", "heartbeat", "http", "get", "post", "put",
        "json", "stdin", "stdout", "stream", "frame", "frames", "udp", "tcp", "socket", "eof", "interrupt",
        "response", "headers", "metrics", "logs", "traffic", "process", "job", "tray", "background",
        "instrument", "players", "notification", "push",
    ]

    // MARK: Typos

    /// Service words worth repairing when misspelt.
    static let typoTargets: [String] = [
        "email", "emails", "inbox", "gmail", "calendar", "schedule", "meeting", "meetings",
        "appointment", "appointments", "reminder", "reminders", "remind", "tomorrow", "today", "tonight",
        "agenda", "event", "events", "task", "tasks", "todo", "note", "notes", "list", "lists", "shopping", "grocery", "groceries",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "afternoon",
        "morning", "evening", "message", "messages", "birthday", "available", "availability",
    ]

    /// The service word `word` is one slip away from: one edit for words up to 7 letters,
    /// two beyond. Nil when there is none, or more than one (ambiguous: leave it).
    static func typoTarget(for word: String) -> String? {
        let count = word.utf8.count
        guard count <= 14, let first = word.utf8.first, first >= 0x61 && first <= 0x7A else { return nil }
        let limit = count >= 8 ? 2 : 1
        // Words under 8 letters keep their first letter: "mall" is not "mail".
        let candidates = limit == 1 ? typoTargetsByFirstLetter[Int(first - 0x61)] : typoTargetEntries
        guard !candidates.isEmpty else { return nil }
        let mask = letterMask(word.utf8)
        var letters: [UInt8]?
        var found: String?
        for target in candidates {
            // k edits change at most k letters of the word's letter set, each way: a cheap
            // test that rules out almost every target before the full comparison.
            guard abs(target.bytes.count - count) <= limit,
                  (mask & ~target.mask).nonzeroBitCount <= limit, (target.mask & ~mask).nonzeroBitCount <= limit
            else { continue }
            if letters == nil { letters = Array(word.utf8) }
            guard editDistance(letters!, target.bytes, limit: limit) <= limit else { continue }
            if let found, found != target.word { return nil }
            found = target.word
        }
        return found
    }

    /// Which of a–z occur (anything else sets bit 26).
    private static func letterMask<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var mask: UInt32 = 0
        for byte in bytes {
            mask |= byte >= 0x61 && byte <= 0x7A ? 1 << UInt32(byte - 0x61) : 1 << 26
        }
        return mask
    }

    private static let typoTargetsByFirstLetter: [[TypoTarget]] = (0..<26).map { letter in
        typoTargetEntries.filter { $0.bytes.first == UInt8(0x61 + letter) }
    }

    private struct TypoTarget {
        let word: String
        let bytes: [UInt8]
        let mask: UInt32
    }

    private static let typoTargetEntries: [TypoTarget] = typoTargets.map {
        TypoTarget(word: $0, bytes: Array($0.utf8), mask: letterMask(Array($0.utf8)))
    }

    /// Damerau–Levenshtein (adjacent transpositions count once), stopping past `limit`.
    static func editDistance(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int {
        let n = a.count, m = b.count
        if abs(n - m) > limit { return limit + 1 }
        if n == 0 || m == 0 { return max(n, m) }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * (m + 1)) { buffer in
            var previous2 = buffer.baseAddress!
            var previous = previous2 + (m + 1)
            var current = previous + (m + 1)
            for j in 0...m { previous[j] = j; previous2[j] = 0 }
            for i in 1...n {
                current[0] = i
                var rowMin = i
                for j in 1...m {
                    let cost = a[i - 1] == b[j - 1] ? 0 : 1
                    var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                    if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                        value = min(value, previous2[j - 2] + 1)
                    }
                    current[j] = value
                    rowMin = min(rowMin, value)
                }
                if rowMin > limit { return limit + 1 }
                (previous2, previous, current) = (previous, current, previous2)
            }
            return previous[m]
        }
    }

}
