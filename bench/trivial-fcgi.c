/*
 * trivial-fcgi.c - the baseline for `make bench-portal`: a FastCGI responder threaded like the
 * portal (N threads, one FCGX_Request each, a mutex around FCGX_Accept_r) that answers every
 * request with the same small HTML page, so that nginx + FastCGI cost alone can be measured.
 * usage: trivial-fcgi --socket PATH [--threads N]
 */
#include <fcgiapp.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char page[] =
    "Status: 200 OK\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Cache-Control: no-store\r\n"
    "\r\n"
    "<!DOCTYPE html>\n"
    "<html lang=\"en\"><head><meta charset=\"utf-8\"><title>trivial</title></head>\n"
    "<body><h1>trivial</h1><p>A fixed page from a FastCGI responder.</p></body></html>\n";

static int listen_fd = -1;
static pthread_mutex_t accept_lock = PTHREAD_MUTEX_INITIALIZER;

static void *S_worker(void *arg)
{
	(void)arg;
	FCGX_Request r;
	FCGX_InitRequest(&r, listen_fd, 0);
	for (;;) {
		pthread_mutex_lock(&accept_lock);
		int rc = FCGX_Accept_r(&r);
		pthread_mutex_unlock(&accept_lock);
		if (rc < 0)
			break;
		FCGX_PutStr(page, (int)(sizeof(page) - 1), r.out);
		FCGX_Finish_r(&r);
	}
	return NULL;
}

static void S_usage(FILE *f)
{
	fputs("usage: trivial-fcgi --socket PATH [--threads N]\n"
	      "A FastCGI responder that answers every request with one small HTML page.\n",
	      f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"socket", required_argument, NULL, 's'},
	    {"threads", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *socket_path = NULL;
	int threads = 4, ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			socket_path = optarg;
			break;
		case 't':
			threads = atoi(optarg);
			break;
		case 'h':
			S_usage(stdout);
			return 0;
		default:
			S_usage(stderr);
			return 2;
		}
	}
	if (!socket_path || optind < argc || threads < 1 || threads > 64) {
		S_usage(stderr);
		return 2;
	}
	if (FCGX_Init() != 0) {
		fputs("trivial-fcgi: FCGX_Init failed\n", stderr);
		return 1;
	}
	unlink(socket_path);
	mode_t old = umask(0);
	listen_fd = FCGX_OpenSocket(socket_path, 128);
	umask(old);
	if (listen_fd < 0) {
		fprintf(stderr, "trivial-fcgi: cannot listen on %s\n", socket_path);
		return 1;
	}
	chmod(socket_path, 0660);
	signal(SIGPIPE, SIG_IGN);

	pthread_t *tid = calloc((size_t)threads, sizeof(*tid));
	if (!tid)
		return 1;
	for (int i = 0; i < threads; i++)
		pthread_create(&tid[i], NULL, S_worker, NULL);
	fprintf(stderr, "trivial-fcgi: %d threads on %s\n", threads, socket_path);
	for (int i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	free(tid);
	return 0;
}
