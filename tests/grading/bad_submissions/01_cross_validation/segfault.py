# kind: wrong
# about: reads address 0 through ctypes: the kernel dies of SIGSEGV in the last answer cell
# fails: cv_summary_visible, cv_summary_hidden

# cell: cv_summary
import ctypes

ctypes.string_at(0)
