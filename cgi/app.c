/* app.c - process-wide helpers of the portal. */
#include "app.h"

void app_mail_wake(struct app *a)
{
	pthread_mutex_lock(&a->mail_lock);
	pthread_cond_signal(&a->mail_cond);
	pthread_mutex_unlock(&a->mail_lock);
}
