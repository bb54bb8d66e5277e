/* supervisor/api/idle.h: trim berthd's memory once the API has been idle for a while
 * (lib/idle_trim.h: free heap back to the kernel, read-only library and program pages
 * unmapped; they fault back in from the page cache on the next request). */
#pragma once

#include <pthread.h>
#include <stdbool.h>

struct api_idle {
        pthread_mutex_t lock;
        pthread_cond_t changed;
        unsigned busy; /* requests in flight (streams and hijacked connections included) */
        bool dirty;    /* work was done since the last trim */
        bool stop;
        bool started;
        pthread_t thread;
};

/* Start the trimmer thread: it trims IDLE_TRIM_MS after the last request in flight ends (and once
 * after start-up), and then sleeps until the next one. */
void api_idle_start(struct api_idle *idle);
/* A request began / ended. */
void api_idle_enter(struct api_idle *idle);
void api_idle_leave(struct api_idle *idle);
/* Stop and join the thread. */
void api_idle_stop(struct api_idle *idle);
