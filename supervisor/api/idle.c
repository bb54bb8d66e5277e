/* supervisor/api/idle.c: the idle trimmer (idle.h). */
#include <config.h>

#include "supervisor/api/idle.h"

#include <errno.h>
#include <time.h>

#include "lib/idle_trim.h"

static void *
trimmer(void *arg)
{
        struct api_idle *idle = arg;

        pthread_mutex_lock(&idle->lock);
        for (;;) {
                struct timespec until;
                int r = 0;

                while (!idle->stop && (idle->busy > 0 || !idle->dirty))
                        pthread_cond_wait(&idle->changed, &idle->lock);
                if (idle->stop)
                        break;
                /* Quiet now: wait out IDLE_TRIM_MS unless a request comes meanwhile. */
                clock_gettime(CLOCK_MONOTONIC, &until);
                until.tv_nsec += (long) IDLE_TRIM_MS * 1000000L;
                until.tv_sec += until.tv_nsec / 1000000000L;
                until.tv_nsec %= 1000000000L;
                while (!idle->stop && idle->busy == 0 && r != ETIMEDOUT)
                        r = pthread_cond_timedwait(&idle->changed, &idle->lock, &until);
                if (idle->stop)
                        break;
                if (idle->busy > 0)
                        continue;
                idle->dirty = false;
                pthread_mutex_unlock(&idle->lock);
                idle_trim_apply();
                pthread_mutex_lock(&idle->lock);
        }
        pthread_mutex_unlock(&idle->lock);
        return NULL;
}

void
api_idle_start(struct api_idle *idle)
{
        pthread_condattr_t ca;

        pthread_mutex_init(&idle->lock, NULL);
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&idle->changed, &ca);
        pthread_condattr_destroy(&ca);
        idle->busy = 0;
        idle->dirty = true; /* start-up's work */
        idle->stop = false;
        /* Best effort: without the thread berthd only keeps more pages resident. */
        idle->started = pthread_create(&idle->thread, NULL, trimmer, idle) == 0;
}

void
api_idle_enter(struct api_idle *idle)
{
        pthread_mutex_lock(&idle->lock);
        idle->busy++;
        idle->dirty = true;
        pthread_cond_signal(&idle->changed);
        pthread_mutex_unlock(&idle->lock);
}

void
api_idle_leave(struct api_idle *idle)
{
        pthread_mutex_lock(&idle->lock);
        if (idle->busy > 0 && --idle->busy == 0)
                pthread_cond_signal(&idle->changed);
        pthread_mutex_unlock(&idle->lock);
}

void
api_idle_stop(struct api_idle *idle)
{
        pthread_mutex_lock(&idle->lock);
        idle->stop = true;
        pthread_cond_signal(&idle->changed);
        pthread_mutex_unlock(&idle->lock);
        if (idle->started)
                pthread_join(idle->thread, NULL);
        pthread_cond_destroy(&idle->changed);
        pthread_mutex_destroy(&idle->lock);
}
