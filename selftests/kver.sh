#!/bin/sh
# The release of the kernel a tree builds for: what `uname -r` says there
# and what /lib/modules and /boot are named after (Debian's
# include/config/kernel.release holds the upstream version instead).
sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$1/include/generated/utsrelease.h"
