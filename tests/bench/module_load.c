/* What loading and unloading a mail plugin costs a process, kernel
   included (docs/BENCHMARKS.md, issue 13's P2): Dovecot's own
   module_dir_load() and module_dir_unload() on the named plugins, from two
   module directories in alternating rounds; prints each round's CPU time
   (user + system) per load and unload, in microseconds.

   cc -O2 -I/usr/include/dovecot -DHAVE_CONFIG_H -o module_load \
      tests/bench/module_load.c -L/usr/lib/dovecot -Wl,-rpath,/usr/lib/dovecot \
      -Wl,--no-as-needed -ldovecot-storage -ldovecot
   ./module_load DIR_A DIR_B PLUGINS LOADS ROUNDS

   PLUGINS as in mail_plugins ("recall"). The plugins' module init is not
   called: this is what every process pays before its first hook runs. */
#include "lib.h"
#include "module-dir.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static double load_and_unload(const char *dir, const char *plugins, int loads)
{
	struct module_dir_load_settings set;
	double started = cpu_seconds();

	i_zero(&set);
	set.abi_version = DOVECOT_ABI_VERSION;
	set.require_init_funcs = TRUE;
	for (int i = 0; i < loads; i++) {
		struct module *modules = module_dir_load(dir, plugins, &set);
		module_dir_unload(&modules);
	}
	return (cpu_seconds() - started) / loads * 1e6;
}

int main(int argc, char *argv[])
{
	if (argc != 6) {
		fprintf(stderr, "usage: module_load DIR_A DIR_B PLUGINS LOADS ROUNDS\n");
		return 2;
	}
	lib_init();
	int loads = atoi(argv[4]), rounds = atoi(argv[5]);
	for (int round = 0; round < rounds; round++) {
		/* ABBA: neither directory always goes first. */
		int first = round % 2;
		double us[2];
		us[first] = load_and_unload(argv[1 + first], argv[3], loads);
		us[!first] = load_and_unload(argv[2 - first], argv[3], loads);
		printf("round %d: %s %.1f us, %s %.1f us\n", round + 1, argv[1], us[0], argv[2], us[1]);
	}
	lib_deinit();
	return 0;
}
