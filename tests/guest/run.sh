#!/bin/bash
# make run CMD='...': one command in the guest, on zcnic set up as the tests
# have it. Host topology: port 0 up with GUEST_V4/GUEST_V6, the host at
# HOST_V4/HOST_V6. Loop topology: as the ksft level (port 1 in ns-remote,
# NETIF and the selftests' variables exported, the selftests under
# /zcnic/ksft). The command's output and exit status are the result.
# shellcheck source=harness/guest/lib.sh
. /zcnic/lib.sh

[ -n "$RUN_CMD" ] || { echo "RUN_CMD is empty"; exit 2; }
case $TOPOLOGY in
loop)
	ksft_loop_setup || { echo "the loop topology needs two zcnic ports"; exit 2; }
	export PATH=/zcnic/ksft-bin:$PATH:/zcnic/ksft/net/lib
	;;
*)
	NETIF=$(zcnic_up 0) || exit 2
	export NETIF
	;;
esac
cd /root || exit 2
bash -c "$RUN_CMD"
