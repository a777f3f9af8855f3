/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stable abort causes, shared by the loader (which reports the token in
 * /sys/kernel/ksplice/<id>/abort_cause) and the CLI (which turns a token
 * into a sentence).  Tokens are part of the user interface: never rename
 * one, only add.
 *
 * KSPLICE_ABORT_CAUSES(X) expands X(token, sentence) once per cause.  The
 * sentence says what happened and what to do; the kernel ignores it.
 */
#ifndef KSPLICE_ERRORS_H
#define KSPLICE_ERRORS_H

#define KSPLICE_ABORT_CAUSES(X)						\
	X(none,								\
	  "No error.")							\
	X(no_match,							\
	  "The running kernel's code does not match the code this update "\
	  "was built from: it was built for another kernel build, "	\
	  "compiler or configuration. Nothing was changed. Rebuild the " \
	  "update from the exact source, configuration and compiler of " \
	  "the running kernel.")						\
	X(failed_to_find,						\
	  "A symbol the update refers to could not be found in the "	\
	  "running kernel, or could not be told apart from a same-named " \
	  "one. Nothing was changed. Check that the update targets this " \
	  "kernel and that the module it patches is loaded.")		\
	X(code_busy,							\
	  "A function the update replaces was in use by a thread on "	\
	  "every try, so it could not be replaced safely. Nothing was "	\
	  "changed. Retry when the named tasks are idle, or with more "	\
	  "--retries.")							\
	X(kprobe_conflict,						\
	  "A kprobe or other instrumentation sits on the bytes the "	\
	  "update must overwrite. Nothing was changed. Remove the probe " \
	  "and try again.")						\
	X(bad_package,							\
	  "The update package or patch module is malformed or was built " \
	  "for another ABI version. Nothing was changed. Rebuild it with " \
	  "this version of ksplice-create.")				\
	X(target_not_loaded,						\
	  "The update patches a module that is not loaded and must find " \
	  "it loaded at apply: its hooks run only at apply, or its new " \
	  "code uses static keys, static calls or tracepoints of the "	\
	  "module that the kernel links when the patch module loads "	\
	  "(any other update would just patch the module when it "	\
	  "loads). Nothing was changed. Load the module first.")	\
	X(module_busy,							\
	  "The patch module is still in use and cannot be removed. Undo " \
	  "the updates that depend on it first.")			\
	X(dependent_update,						\
	  "A later update replaces code of this one, so it cannot be "	\
	  "undone first. Undo the later update first (ksplice-view lists " \
	  "them, newest first).")					\
	X(bad_state,							\
	  "The requested action does not fit the update's current stage " \
	  "(for example, undoing an update that is not applied).")	\
	X(out_of_memory,						\
	  "The kernel ran out of memory while preparing the update. "	\
	  "Nothing was changed. Free memory and try again.")		\
	X(hook_refused,							\
	  "A hook of the update (ksplice_pre_apply or ksplice_pre_reverse) " \
	  "refused the action; its fail hooks ran and nothing else was " \
	  "changed. The loader's detail names the hook and what it "	\
	  "returned.")							\
	X(unexpected,							\
	  "The loader met a condition it does not handle; it refused "	\
	  "and changed nothing. The kernel log (prefix 'ksplice:') has " \
	  "the details; please report it.")				\
	X(module_init_ran,						\
	  "The update replaces __init code of a module that is loaded: " \
	  "its init already ran with the old code, so the fix would not " \
	  "take effect. Nothing was changed. Unload the module and apply " \
	  "again (the module is patched when it loads next), or reboot.")	\
	X(module_data_live,						\
	  "The update changes the initial value of data of a module that " \
	  "is loaded: the module has been using the old value, and the "	\
	  "new one is written only as the module loads. Nothing was "	\
	  "changed. Unload the module and try again (an update is applied "\
	  "or undone with the module unloaded; the module gets the new "	\
	  "data when it loads next), or reboot.")

#define KSPLICE_CAUSE_ENUM(token, sentence) KSPLICE_CAUSE_##token,
enum ksplice_abort_cause {
	KSPLICE_ABORT_CAUSES(KSPLICE_CAUSE_ENUM)
	KSPLICE_NR_CAUSES
};
#undef KSPLICE_CAUSE_ENUM

#endif /* KSPLICE_ERRORS_H */
