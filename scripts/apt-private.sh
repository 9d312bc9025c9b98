# Private apt configuration for fetching packages and sources from Debian
# suites newer than the host's (trixie, trixie-backports, sid). It is used
# only to download; it never touches the system's sources or installs into
# the host. Sourced by the fetch scripts.
# shellcheck shell=bash

PAPT_DIR=$ZCNIC_CACHE/apt
PAPT_MIRROR=${ZCNIC_MIRROR:-http://deb.debian.org/debian}

papt() {
	apt-get -q \
		-o Dir::Etc::SourceList="$PAPT_DIR/sources.list" \
		-o Dir::Etc::SourceParts=/nonexistent \
		-o Dir::State::Lists="$PAPT_DIR/lists" \
		-o Dir::State::Status="$PAPT_DIR/status" \
		-o Dir::Cache::archives="$PAPT_DIR/archives" \
		-o Dir::Cache::pkgcache="" -o Dir::Cache::srcpkgcache="" \
		-o APT::Default-Release=trixie \
		-o APT::Sandbox::User=root \
		-o Acquire::Languages=none \
		"$@"
}

papt_cache() {
	apt-cache \
		-o Dir::Etc::SourceList="$PAPT_DIR/sources.list" \
		-o Dir::Etc::SourceParts=/nonexistent \
		-o Dir::State::Lists="$PAPT_DIR/lists" \
		-o Dir::State::Status="$PAPT_DIR/status" \
		-o Dir::Cache::pkgcache="" -o Dir::Cache::srcpkgcache="" \
		-o APT::Default-Release=trixie \
		"$@"
}

# Set up the private lists; refresh them at most once a day.
papt_update() {
	mkdir -p "$PAPT_DIR/lists/partial" "$PAPT_DIR/archives/partial"
	touch "$PAPT_DIR/status"
	local kr=/usr/share/keyrings/debian-archive-keyring.gpg
	cat > "$PAPT_DIR/sources.list.new" <<SRC
deb [signed-by=$kr] $PAPT_MIRROR trixie main
deb-src [signed-by=$kr] $PAPT_MIRROR trixie main
deb [signed-by=$kr] $PAPT_MIRROR trixie-backports main
deb-src [signed-by=$kr] $PAPT_MIRROR trixie-backports main
deb [signed-by=$kr] $PAPT_MIRROR sid main
deb-src [signed-by=$kr] $PAPT_MIRROR sid main
SRC
	if cmp -s "$PAPT_DIR/sources.list.new" "$PAPT_DIR/sources.list" &&
	   [ -n "$(find "$PAPT_DIR/stamp" -mmin -1440 2>/dev/null)" ]; then
		rm -f "$PAPT_DIR/sources.list.new"
		return 0
	fi
	mv "$PAPT_DIR/sources.list.new" "$PAPT_DIR/sources.list"
	say "refreshing private apt lists (trixie, trixie-backports, sid)"
	bounded 900 "the private apt update" papt update >"$PAPT_DIR/update.log" 2>&1 ||
		{ tail "$PAPT_DIR/update.log" >&2; die "private apt update failed (log: $PAPT_DIR/update.log)"; }
	touch "$PAPT_DIR/stamp"
}
