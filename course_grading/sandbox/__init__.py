"""The one place that runs student code: one submission, one worker, one sandboxed kernel.

- :mod:`.isolation`: the worker: inspects the submitted files, runs real nbgrader in a private
  course, writes the result with its reasons;
- :mod:`.restore_cells`: the instructor's nbgrader metadata put back before nbgrader grades;
- :mod:`.time_budget`: the time all cells of a submission may run together;
- :mod:`.kernel_guard`: the kernel: resource limits, Landlock, an output cap, the tampering guard;
- :mod:`.process_sandbox`: the kernel's PID and mount namespace, process and disk caps, and the
  worker's network namespace.
"""
