#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""zw_parent.py MODE COUNT [COMM]: a parent with COUNT zombie children.

It forks COUNT children that exit at once and leaves them unreaped while
SIGCHLD has its default disposition (so no signal reaps them), waits until
/proc shows every one of them as a zombie, then sets up MODE and prints
"ready" followed by the children's pids on one line:

  reap    a SIGCHLD handler that reaps every child that has exited: the
          next SIGCHLD (zwatch kick) reaps them all
  never   SIGCHLD keeps its default disposition: nothing reaps them
  ignore  SIGCHLD is ignored (SIG_IGN), after the zombies exist

Then it sleeps until killed (SIGTERM).
"""
import os
import signal
import sys
import time


def is_zombie(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False


def reap_all(signum, frame):
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def main():
    mode, count = sys.argv[1], int(sys.argv[2])
    if len(sys.argv) > 3:
        with open("/proc/self/comm", "w") as f:
            f.write(sys.argv[3])
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    pids = []
    for _ in range(count):
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        pids.append(pid)
    deadline = time.monotonic() + 10
    while not all(is_zombie(p) for p in pids):
        if time.monotonic() > deadline:
            sys.exit("zw_parent: children did not become zombies")
        time.sleep(0.01)
    if mode == "reap":
        signal.signal(signal.SIGCHLD, reap_all)
    elif mode == "ignore":
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    elif mode != "never":
        sys.exit("zw_parent: MODE is reap, never or ignore")
    print("ready", *pids, flush=True)
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
