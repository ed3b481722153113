/*
 * fuzz_config.c: libFuzzer target for the configuration parser. The input
 * is a whole configuration file; the environment is fixed so that paths
 * with ~ and $VAR expand. Checks: a NULL result always comes with errors,
 * a non-NULL one never does, and every account has what validation
 * promises (address, incoming server, store path).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static const char *
fuzz_getenv(const char *name, void *arg)
{
	(void)arg;
	if (strcmp(name, "HOME") == 0)
		return "/home/fuzz";
	if (strcmp(name, "MAIL") == 0)
		return "/var/mail/fuzz";
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_env	 env = { fuzz_getenv, NULL };
	struct cfg_diag	 diag = { 0 };
	struct config	*cfg;
	size_t		 i;

	cfg = cfg_parse((const char *)data, size, "fuzz.conf", &env, &diag);
	if ((cfg == NULL) != (diag.nerrors > 0))
		abort();
	if (cfg != NULL) {
		for (i = 0; i < cfg->naccounts; i++) {
			const struct cfg_account *a = &cfg->accounts[i];

			if (a->address == NULL || a->store_path == NULL ||
			    a->incoming.scheme == CFG_SCHEME_NONE)
				abort();
		}
		if (cfg->naccounts > 0 && cfg_account(cfg, NULL) == NULL)
			abort();
	}
	cfg_free(&cfg);
	cfg_diag_free(&diag);
	return 0;
}
