// Linked into every program and test binary that renders card faces or
// documents (sanitizer builds read these hooks; other builds ignore them).
// fontconfig keeps what it parsed from its XML configuration for the life of
// the process (its global FcConfig); LeakSanitizer reports that as a leak in
// the asan preset. cairo 1.16's PDF backend leaks ~768 bytes per page with
// text while finishing the surface (inside cairo_surface_finish, font
// subsetting); full stacks at malloc time let that suppression name the
// function instead of all of libcairo. Nothing of ours is suppressed. The
// table of suppressions used is not printed at exit: in a daemon whose stderr
// is JSON lines it would be the only line that is not one.
extern "C" const char* __asan_default_options() { return "fast_unwind_on_malloc=0"; }
extern "C" const char* __lsan_default_options() { return "print_suppressions=0"; }
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\nleak:cairo_surface_finish\n";
}
