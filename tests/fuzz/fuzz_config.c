// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: the config loader (YAML tree, schema, cross-checks) on arbitrary bytes.
 * cfg_load takes a path, so every input goes into one memfd read back through /proc/self/fd:
 * the real fopen/libyaml path, no disk writes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config/config.h"
#include "common/log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_fd = -1;
static char fuzz_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* Warnings about odd but valid configs would flood the fuzzer's output. */
	log_init("fuzz_config", LOG_LVL_ERR);
	fuzz_fd = memfd_create("fuzz_config.yaml", MFD_CLOEXEC);
	if (fuzz_fd < 0) {
		perror("memfd_create");
		abort();
	}
	snprintf(fuzz_path, sizeof(fuzz_path), "/proc/self/fd/%d", fuzz_fd);
	return 0;
}

static void fuzz_check_loaded(const struct lb_config *cfg)
{
	char label[CFG_LABEL_MAX];
	size_t i;

	/* What the agent does with an accepted config first: label and look up every VIP. */
	for (i = 0; i < cfg->n_vips; i++) {
		cfg_vip_label(&cfg->vips[i], label, sizeof(label));
		if (cfg_find_vip(cfg, label) == NULL)
			abort(); /* a VIP its own label does not find */
		if (!cfg_vip_equal(&cfg->vips[i], &cfg->vips[i]))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CFG_ERR_MAX];
	struct lb_config cfg;
	int ret;

	if (ftruncate(fuzz_fd, 0) || pwrite(fuzz_fd, data, size, 0) != (ssize_t)size)
		abort();
	err[0] = '\0';
	ret = cfg_load(fuzz_path, &cfg, err, sizeof(err));
	if (ret == 0) {
		fuzz_check_loaded(&cfg);
		cfg_free(&cfg);
	} else if (!err[0] || memchr(err, '\0', sizeof(err)) == NULL) {
		abort(); /* every refusal must say why, NUL-terminated */
	}
	return 0;
}
