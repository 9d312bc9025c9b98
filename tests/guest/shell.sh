#!/bin/bash
# make shell: a root shell in the guest on the terminal make runs in (the
# guest's third serial port, ttyS2, is QEMU's stdio). zcnic is set up as
# make run has it -- host topology: port 0 up as NETIF with GUEST_V4/V6,
# the host at HOST_V4/V6; loop topology: the selftests' setup, their
# variables exported and their programs on PATH. zcnic-host reaches the
# host side meanwhile. Exiting the shell ends this test, and the guest
# powers off; the shell's exit status is the result.
# shellcheck source=harness/guest/lib.sh
. /zcnic/lib.sh

tty=/dev/ttyS2
[ -c "$tty" ] || { echo "no $tty: start it with make shell (zcnic-bed shell)"; exit 2; }
case $TOPOLOGY in
loop)
	ksft_loop_setup || { echo "the loop topology needs two zcnic ports"; exit 2; }
	export PATH=/zcnic/ksft-bin:$PATH:/zcnic/ksft/net/lib
	where="loop topology: NETIF=$NETIF $LOCAL_V4, the peer $REMOTE_V4 in netns ns-remote; selftests in /zcnic/ksft/drivers/net"
	;;
*)
	NETIF=$(zcnic_up 0) || exit 2
	export NETIF
	where="host topology: NETIF=$NETIF $GUEST_V4, the host at $HOST_V4"
	;;
esac
stty -F "$tty" sane 115200
export TERM=${SHELL_TERM:-vt100} HOME=/root PS1='zcnic-guest:\w# '
cd /root || exit 2
printf '%s\n' "zcnic guest shell ($where)." \
	"zcnic-host run CMD runs CMD on the host side; exit (or Ctrl-D) powers the guest off." > "$tty"
# a session of its own with the serial port as its controlling terminal,
# so that job control and Ctrl-C work
setsid -c -w bash --norc -i <> "$tty" >&0 2>&1
