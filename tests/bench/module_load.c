/* What loading and unloading a mail plugin costs a process, kernel
   included (docs/BENCHMARKS.md, issue 13's P2): Dovecot's own
   module_dir_load() and module_dir_unload() on two sets of plugins, each
   from its module directory, in alternating rounds; prints each round's
   CPU time (user + system) per load and unload, in microseconds.

   cc -O2 -I/usr/include/dovecot -DHAVE_CONFIG_H -o module_load \
      tests/bench/module_load.c -L/usr/lib/dovecot -Wl,-rpath,/usr/lib/dovecot \
      -Wl,--no-as-needed -ldovecot-storage -ldovecot
   ./module_load DIR_A PLUGINS_A DIR_B PLUGINS_B LOADS ROUNDS

   PLUGINS as in mail_plugins ("recall imap_recall", "notify"): two builds
   of one plugin from two directories, or two plugins from one. The
   plugins' module init is not called: this is what every process pays
   before its first hook runs. */
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
	if (argc != 7) {
		fprintf(stderr, "usage: module_load DIR_A PLUGINS_A DIR_B PLUGINS_B LOADS ROUNDS\n");
		return 2;
	}
	lib_init();
	int loads = atoi(argv[5]), rounds = atoi(argv[6]);
	printf("A: %s from %s\nB: %s from %s\n", argv[2], argv[1], argv[4], argv[3]);
	for (int round = 0; round < rounds; round++) {
		/* ABBA: neither side always goes first. */
		int first = round % 2;
		double us[2];
		us[first] = load_and_unload(argv[1 + 2 * first], argv[2 + 2 * first], loads);
		us[!first] = load_and_unload(argv[3 - 2 * first], argv[4 - 2 * first], loads);
		printf("round %d: A %.1f us, B %.1f us\n", round + 1, us[0], us[1]);
	}
	lib_deinit();
	return 0;
}
