/* run.c: the unit-test runner: every suite that needs no server. */
#include <signal.h>
#include <stdlib.h>

#include "tests.h"

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	(void)signal(SIGPIPE, SIG_IGN);
	sr = srunner_create(util_suite());
	srunner_add_suite(sr, buf_suite());
	srunner_add_suite(sr, loop_suite());
	srunner_add_suite(sr, conn_suite());
	srunner_add_suite(sr, config_suite());
	srunner_add_suite(sr, cli_suite());
	srunner_add_suite(sr, mime_text_suite());
	srunner_add_suite(sr, mime_addr_suite());
	srunner_add_suite(sr, mime_codec_suite());
	srunner_add_suite(sr, mime_compose_suite());
	srunner_add_suite(sr, mime_corpus_suite());
	srunner_add_suite(sr, show_suite());
	srunner_add_suite(sr, store_suite());
	srunner_add_suite(sr, list_suite());
	srunner_add_suite(sr, store_view_suite());
	srunner_add_suite(sr, store_search_suite());
	srunner_add_suite(sr, imap_suite());
	srunner_add_suite(sr, imap_client_suite());
	srunner_add_suite(sr, imap_east_suite());
	srunner_add_suite(sr, imap_mailbox_suite());
	srunner_add_suite(sr, smtp_suite());
	srunner_add_suite(sr, smtp_client_suite());
	srunner_add_suite(sr, smtp_east_suite());
	srunner_add_suite(sr, pop3_suite());
	srunner_add_suite(sr, pop3_east_suite());
	srunner_add_suite(sr, ui_suite());
	srunner_add_suite(sr, sync_state_suite());
	srunner_add_suite(sr, sync_folders_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
