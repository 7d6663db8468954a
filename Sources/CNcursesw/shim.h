// ncursesw with the wide-character API. Without NCURSES_WIDECHAR and _XOPEN_SOURCE_EXTENDED
// the cchar_t/wget_wch declarations are hidden, and Swift cannot import curses' macros,
// so the ones lume-tui needs are wrapped below as inline functions.
#ifndef LUME_CNCURSESW_SHIM_H
#define LUME_CNCURSESW_SHIM_H
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <wchar.h>
#include <sys/ioctl.h>
#include <ncursesw/curses.h>

int wcwidth(wchar_t c);

static inline int lume_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int lume_getmaxx(WINDOW *w) { return getmaxx(w); }
static inline attr_t lume_attr_bold(void) { return A_BOLD; }
static inline attr_t lume_attr_dim(void) { return A_DIM; }
static inline attr_t lume_attr_reverse(void) { return A_REVERSE; }
static inline attr_t lume_attr_underline(void) { return A_UNDERLINE; }
static inline attr_t lume_attr_italic(void) { return A_ITALIC; }
static inline attr_t lume_attr_normal(void) { return A_NORMAL; }
static inline int lume_key_code_yes(void) { return KEY_CODE_YES; }
static inline int lume_key_resize(void) { return KEY_RESIZE; }
static inline WINDOW *lume_stdscr(void) { return stdscr; }
static inline int lume_err(void) { return ERR; }
static inline FILE *lume_stdout(void) { return stdout; }
static inline FILE *lume_stdin(void) { return stdin; }
// ioctl is variadic, which Swift cannot call: the terminal's size in rows and columns.
static inline int lume_terminal_size(int fd, int *rows, int *columns) {
    struct winsize size;
    if (ioctl(fd, TIOCGWINSZ, &size) != 0) return -1;
    *rows = size.ws_row;
    *columns = size.ws_col;
    return 0;
}
#endif
