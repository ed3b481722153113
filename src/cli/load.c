/* load.c: an optional configuration for the commands. */
#include <stdio.h>
#include <stdlib.h>

#include "cli_priv.h"

int
cli_load_optional_config(const struct cli_opts *o, struct config **cfgp)
{
	struct cfg_diag	 diag = { 0 };
	size_t		 i;
	bool		 none;
	int		 rc = 0;

	*cfgp = cfg_load_optional(o->config_path, &none, &diag);
	for (i = 0; i < diag.nwarnings; i++)
		(void)fprintf(stderr, "facteur: %s\n", diag.warnings[i]);
	for (i = 0; i < diag.nerrors; i++)
		(void)fprintf(stderr, "facteur: %s\n", diag.errors[i]);
	if (*cfgp == NULL && !none)
		rc = -1;
	cfg_diag_free(&diag);
	return rc;
}
