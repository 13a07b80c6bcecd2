#define _GNU_SOURCE /* ucontext register names */

#include "ob_watchdog.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

/* SIGURG is ignored by default and unused by the sanitizers and libFuzzer. */
enum { PROBE_SIGNAL = SIGURG };

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv;
static struct timespec deadline;
static int armed;
static pthread_t armed_thread;
static ob_watchdog_fire on_fire;

static uintptr_t probe_pcs[OB_MAX_FRAMES];
static uintptr_t samples[OB_HANG_SAMPLES][OB_MAX_FRAMES];
static unsigned nsampled[OB_HANG_SAMPLES];
static atomic_uint probe_n;
static atomic_int probe_done;

static void probe_handler(int sig, siginfo_t *info, void *uctx)
{
    (void)sig;
    (void)info;
    const ucontext_t *uc = uctx;
    uintptr_t pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
    uintptr_t fp = (uintptr_t)uc->uc_mcontext.gregs[REG_RBP];
    uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
    /* Fiber stacks are not the thread's own: bound the walk by the interrupted sp. */
    unsigned n = ob_stack_pcs_from(pc, fp, sp, sp + (64u << 20), probe_pcs, OB_MAX_FRAMES);
    atomic_store(&probe_n, n);
    atomic_store(&probe_done, 1);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Interrupts the stuck thread to walk its stack; waits up to a second for it. */
static unsigned probe(pthread_t t)
{
    atomic_store(&probe_done, 0);
    if (pthread_kill(t, PROBE_SIGNAL) != 0)
        return 0;
    for (int i = 0; i < 100 && !atomic_load(&probe_done); i++)
        sleep_ms(10);
    return atomic_load(&probe_done) ? atomic_load(&probe_n) : 0;
}

static void *watch(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    for (;;) {
        if (!armed) {
            pthread_cond_wait(&cv, &mu);
            continue;
        }
        struct timespec until = deadline;
        if (pthread_cond_timedwait(&cv, &mu, &until) != ETIMEDOUT || !armed)
            continue;
        pthread_t t = armed_thread;
        armed = 0;
        pthread_mutex_unlock(&mu);
        unsigned k = 0;
        for (; k < OB_HANG_SAMPLES; k++) {
            nsampled[k] = probe(t);
            memcpy(samples[k], probe_pcs, sizeof probe_pcs);
            sleep_ms(3 + 7 * (long)k);
        }
        on_fire(samples, nsampled, k);
        pthread_mutex_lock(&mu);
    }
    return NULL;
}

int ob_watchdog_start(ob_watchdog_fire fire)
{
    static int started;
    pthread_mutex_lock(&mu);
    int rc = 0;
    if (!started) {
        on_fire = fire;
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&cv, &ca);
        pthread_condattr_destroy(&ca);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = probe_handler;
        sa.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&sa.sa_mask);
        sigaction(PROBE_SIGNAL, &sa, NULL);
        pthread_t th;
        rc = pthread_create(&th, NULL, watch, NULL) == 0 ? 0 : -1;
        if (rc == 0) {
            pthread_detach(th);
            started = 1;
        }
    }
    pthread_mutex_unlock(&mu);
    return rc;
}

void ob_watchdog_arm(double seconds)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long ns = now.tv_nsec + (long long)((seconds - (long long)seconds) * 1e9);
    pthread_mutex_lock(&mu);
    deadline.tv_sec = now.tv_sec + (time_t)seconds + (time_t)(ns / 1000000000LL);
    deadline.tv_nsec = (long)(ns % 1000000000LL);
    armed = 1;
    armed_thread = pthread_self();
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
}

void ob_watchdog_disarm(void)
{
    pthread_mutex_lock(&mu);
    armed = 0;
    pthread_mutex_unlock(&mu);
}
