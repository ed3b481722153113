/*
 * run_servers.c: the tests against real Dovecot and Postfix, started by
 * tests/servers/with-servers.sh, which passes ports, CA and users in
 * MAILTEST_* variables.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests.h"

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	(void)signal(SIGPIPE, SIG_IGN);
	if (getenv("MAILTEST_HOST") == NULL) {
		fprintf(stderr, "run-servers: MAILTEST_HOST is not set; run "
		    "tests/servers/with-servers.sh ./tests/run-servers\n");
		return EXIT_FAILURE;
	}
	sr = srunner_create(servers_net_suite());
	srunner_add_suite(sr, servers_imap_suite());
	srunner_add_suite(sr, servers_sync_suite());
	srunner_add_suite(sr, servers_smtp_suite());
	srunner_add_suite(sr, servers_pop3_suite());
	srunner_add_suite(sr, servers_ui_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
