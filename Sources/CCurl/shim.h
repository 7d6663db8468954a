// Typed wrappers for libcurl's variadic functions, which Swift cannot call directly.
#ifndef LUME_CCURL_SHIM_H
#define LUME_CCURL_SHIM_H
#include <curl/curl.h>

typedef size_t (*lume_curl_data_fn)(char *ptr, size_t size, size_t nmemb, void *userdata);
typedef int (*lume_curl_progress_fn)(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
                                     curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode lume_curl_setopt_long(CURL *h, CURLoption o, long v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode lume_curl_setopt_string(CURL *h, CURLoption o, const char *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode lume_curl_setopt_pointer(CURL *h, CURLoption o, void *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode lume_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode lume_curl_setopt_data_function(CURL *h, CURLoption o, lume_curl_data_fn f) {
    return curl_easy_setopt(h, o, f);
}
static inline CURLcode lume_curl_setopt_progress_function(CURL *h, lume_curl_progress_fn f) {
    return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, f);
}
static inline CURLcode lume_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode lume_curl_getinfo_long(CURL *h, CURLINFO i, long *v) {
    return curl_easy_getinfo(h, i, v);
}
#endif
