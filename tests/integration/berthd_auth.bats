#!/usr/bin/env bats
# tests/integration/berthd_auth.bats: berthd's registry client beyond anonymous plain HTTP
# (issue 7): TLS verified with a CA from /etc/berth/certs.d/<host:port>/, basic auth (htpasswd),
# token auth (a python token server signing JWTs), login/logout through berthctl and the stock
# docker CLIs, X-Registry-Auth on pull, berthd's own credentials file, registry-mirrors for
# Docker Hub, and retries (503s and a dropped blob transfer resumed with Range). Push through the
# same sessions: TLS with and without the CA, basic auth after berthctl and docker logins, token
# auth with push scope (a pull-only user is denied), a cross-repository mount's extra scope, a
# failed upload restarted through the flaky proxy, and berthctl's live progress on a terminal.
#
# Private docker-registry instances on 127.0.0.1 at ports picked at run time, one berthd; every
# process is started by peers_spawn/bd_start and stopped by its recorded PID, failures included.
# The only file outside $PD is /etc/berth/certs.d/127.0.0.1:PORT/ (PORT is this run's), removed
# in teardown_file with whatever parent directory this file created.

load helpers
load peers
load berthd_helpers

USER_=berth
PASS_='s3cret pass'
RPASS_=read0nly # the token server's pull-only user "reader"

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# reg_start NAME PORT [SCHEME] [extra yaml...]: a docker-registry on 127.0.0.1:PORT storing in
# $PD/NAME; waits until it answers.
reg_start() {
	local name=$1 port=$2 scheme=${3:-http} i rc
	shift 3 || shift $#
	mkdir -p "$PD/$name"
	{
		cat <<-YML
			version: 0.1
			log:
			  level: warn
			storage:
			  filesystem:
			    rootdirectory: $PD/$name
			http:
			  addr: 127.0.0.1:$port
		YML
		printf '%s\n' "$@"
	} >"$PD/$name.yml"
	peers_spawn "$name" docker-registry serve "$PD/$name.yml"
	for ((i = 0; i < 100; i++)); do
		# listening is enough (7: nothing there yet; a registry asking for a client
		# certificate refuses the handshake)
		rc=0
		curl -s -k -o /dev/null "$scheme://127.0.0.1:$port/v2/" || rc=$?
		[[ $rc != 7 ]] && return 0
		sleep 0.05
	done
	echo "docker-registry $name did not come up; its log:" >&2
	cat "$PD/$name.log" >&2
	return 1
}

wait_port() {
	local i
	for ((i = 0; i < 100; i++)); do
		curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
		sleep 0.05
	done
	return 1
}

make_certs() {
	local d=$PD/pki
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=berth test CA" \
		-keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
		-keyout "$d/reg.key" -out "$d/reg.csr" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$d/ext"
	openssl x509 -req -in "$d/reg.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
		-days 2 -extfile "$d/ext" -out "$d/reg.crt" 2>/dev/null
	# a client certificate for the registry that asks for one
	openssl req -newkey rsa:2048 -nodes -subj "/CN=berth client" \
		-keyout "$d/client.key" -out "$d/client.csr" 2>/dev/null
	printf 'extendedKeyUsage=clientAuth\n' >"$d/cext"
	openssl x509 -req -in "$d/client.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
		-days 2 -extfile "$d/cext" -out "$d/client.cert" 2>/dev/null
	# the token signer: self-signed, the registry's rootcertbundle
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=berth token signer" \
		-keyout "$d/token.key" -out "$d/token.crt" 2>/dev/null
}

setup_file() {
	BERTHD=${BERTHD:-$(bd_resolve berthd)}
	BERTHCTL=${BERTHCTL:-$(bd_resolve berthctl)}
	[[ -x $BERTHD && -x $BERTHCTL ]] || {
		echo "setup_file: berthd or berthctl not found (set BERTHD= and BERTHCTL=)" >&2
		return 1
	}
	command -v docker-registry >/dev/null || {
		echo "setup_file: docker-registry is not installed (apt-get install docker-registry)" >&2
		return 1
	}
	/usr/bin/python3 -c 'import jwt, cryptography' || {
		echo "setup_file: /usr/bin/python3 lacks jwt or cryptography (python3-jwt, python3-cryptography)" >&2
		return 1
	}
	peers_new auth
	make_certs
	local P_EMPTY P_DEAD P_TOKEN
	P_PLAIN=$(free_port) P_EMPTY=$(free_port) P_DEAD=$(free_port) P_TLS=$(free_port)
	P_BASIC=$(free_port) P_TOKEN=$(free_port) P_REGT=$(free_port) P_PROXY=$(free_port)
	P_MTLS=$(free_port)
	export P_TLS P_BASIC P_REGT P_PROXY P_DEAD P_MTLS P_PLAIN
	# plain: the good mirror and the proxy's backend; empty: a mirror that 404s
	reg_start plain "$P_PLAIN"
	reg_start empty "$P_EMPTY"
	reg_start tls "$P_TLS" https "  tls:" "    certificate: $PD/pki/reg.crt" "    key: $PD/pki/reg.key"
	reg_start mtls "$P_MTLS" https "  tls:" "    certificate: $PD/pki/reg.crt" "    key: $PD/pki/reg.key" \
		"    clientcas:" "      - $PD/pki/ca.crt"
	/usr/bin/python3 -W ignore -c 'import crypt, sys; print(sys.argv[1] + ":" + crypt.crypt(sys.argv[2], crypt.mksalt(crypt.METHOD_BLOWFISH)))' \
		"$USER_" "$PASS_" >"$PD/htpasswd"
	reg_start basic "$P_BASIC" http "auth:" "  htpasswd:" "    realm: berth-test" "    path: $PD/htpasswd"
	peers_spawn token /usr/bin/python3 "$IT_HELPERS/token_server.py" "$P_TOKEN" "$PD/pki/token.key" \
		"$PD/pki/token.crt" berth-issuer "$USER_:$PASS_" "pull=reader:$RPASS_"
	wait_port "$P_TOKEN"
	reg_start regt "$P_REGT" http "auth:" "  token:" "    realm: http://127.0.0.1:$P_TOKEN/token" \
		"    service: berth-registry" "    issuer: berth-issuer" "    rootcertbundle: $PD/pki/token.crt"
	peers_spawn proxy /usr/bin/python3 "$IT_HELPERS/flaky_proxy.py" "$P_PROXY" "$P_PLAIN"
	wait_port "$P_PROXY"

	# Fill them (skopeo: TLS with the CA, basic and token with the credentials).
	skopeo copy -q --dest-tls-verify=false "oci-archive:$PD/img.tar" "docker://127.0.0.1:$P_PLAIN/library/busybox:latest" >&2
	skopeo copy -q --dest-tls-verify=false "oci-archive:$PD/img.tar" "docker://127.0.0.1:$P_PLAIN/test/busybox:1" >&2
	mkdir -p "$PD/skcerts" && cp "$PD/pki/ca.crt" "$PD/skcerts/ca.crt"
	skopeo copy -q --dest-cert-dir "$PD/skcerts" "oci-archive:$PD/img.tar" "docker://127.0.0.1:$P_TLS/test/busybox:1" >&2
	cp "$PD/pki/client.cert" "$PD/pki/client.key" "$PD/skcerts/"
	skopeo copy -q --dest-cert-dir "$PD/skcerts" "oci-archive:$PD/img.tar" "docker://127.0.0.1:$P_MTLS/test/busybox:1" >&2
	skopeo copy -q --dest-tls-verify=false --dest-creds "$USER_:$PASS_" "oci-archive:$PD/img.tar" "docker://127.0.0.1:$P_BASIC/test/busybox:1" >&2
	skopeo copy -q --dest-tls-verify=false --dest-creds "$USER_:$PASS_" "oci-archive:$PD/img.tar" "docker://127.0.0.1:$P_REGT/test/busybox:1" >&2

	BD=$PD/bd
	mkdir -p "$BD"
	# mirrors: one that 404s, one that is not there, the good one
	# insecure: the TLS registry by another name (HTTPS without verification, as dockerd)
	printf '{"registry-mirrors": ["http://127.0.0.1:%s", "http://127.0.0.1:%s", "http://127.0.0.1:%s"],\n "insecure-registries": ["localhost:%s"]}\n' \
		"$P_EMPTY" "$P_DEAD" "$P_PLAIN" "$P_TLS" >"$BD/daemon.json"
	export BERTHD BERTHCTL BD
	bd_start "$BD"

	# The CA, where berthd looks (dockerd's certs.d convention); what we create we remove.
	CERTS_MADE=""
	for d in /etc/berth /etc/berth/certs.d; do
		[[ -d $d ]] || { mkdir "$d" && CERTS_MADE="$d $CERTS_MADE"; }
	done
	export CERTS_MADE
}

teardown_file() {
	[[ -n ${BD:-} ]] && bd_stop "$BD"
	if [[ -n ${PD:-} ]]; then
		peers_stop proxy; peers_stop token
		peers_stop plain; peers_stop empty; peers_stop tls; peers_stop basic; peers_stop regt
		peers_stop mtls
	fi
	[[ -n ${P_TLS:-} ]] && rm -rf "/etc/berth/certs.d/127.0.0.1:$P_TLS"
	[[ -n ${P_MTLS:-} ]] && rm -rf "/etc/berth/certs.d/127.0.0.1:$P_MTLS"
	local d
	for d in ${CERTS_MADE:-}; do rmdir "$d" 2>/dev/null || true; done
	peers_teardown
}

setup() {
	export DOCKER_HOST=unix://$BD/s.sock
	export BERTH_CONFIG=$BATS_TEST_TMPDIR/berthcfg
	export DOCKER_CONFIG=$BATS_TEST_TMPDIR/dockercfg
}

teardown() {
	[[ -s $BATS_TEST_TMPDIR/client.pid ]] && kill "$(cat "$BATS_TEST_TMPDIR/client.pid")" 2>/dev/null
	[[ -n ${PD:-} ]] && peers_stop hang
	rm -f "$BD/auth.json"
	docker image prune -af >/dev/null 2>&1 || true
}

api() { # api [curl args...] PATH
	local path=${*: -1}
	curl -s --unix-socket "$BD/s.sock" "${@:1:$#-1}" "http://localhost$path"
}

xra() { # xra USER PASS SERVER: an X-Registry-Auth value as the docker CLI makes it
	/usr/bin/python3 -c 'import base64, json, sys; print(base64.urlsafe_b64encode(json.dumps({"username": sys.argv[1], "password": sys.argv[2], "serveraddress": sys.argv[3]}).encode()).decode())' "$@"
}

@test "auth: TLS registry: unknown authority without the CA, pulls with it in /etc/berth/certs.d" {
	local img=127.0.0.1:$P_TLS/test/busybox:1
	rm -rf "/etc/berth/certs.d/127.0.0.1:$P_TLS"
	run "$BERTHCTL" -H "unix://$BD/s.sock" pull "$img"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"Get \"https://127.0.0.1:$P_TLS/v2/\": x509: certificate signed by unknown authority"* ]]
	bd_store_empty "$BD"

	mkdir -p "/etc/berth/certs.d/127.0.0.1:$P_TLS"
	cp "$PD/pki/ca.crt" "/etc/berth/certs.d/127.0.0.1:$P_TLS/ca.crt"
	run "$BERTHCTL" -H "unix://$BD/s.sock" pull "$img"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Status: Downloaded newer image for $img"* ]]
	docker image inspect "$img" >/dev/null
	rm -rf "/etc/berth/certs.d/127.0.0.1:$P_TLS"
}

@test "auth: a registry that asks for a client certificate gets client.cert/client.key from certs.d" {
	local img=127.0.0.1:$P_MTLS/test/busybox:1 d=/etc/berth/certs.d/127.0.0.1:$P_MTLS
	mkdir -p "$d"
	cp "$PD/pki/ca.crt" "$d/ca.crt"
	run docker pull "$img"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"127.0.0.1:$P_MTLS"* ]]
	bd_store_empty "$BD"
	cp "$PD/pki/client.cert" "$PD/pki/client.key" "$d/"
	run docker pull "$img"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Downloaded newer image for $img"* ]]
	rm -rf "$d"
}

@test "auth: an insecure-registries entry that speaks HTTPS is used without verification" {
	local img=localhost:$P_TLS/test/busybox:1
	rm -rf "/etc/berth/certs.d/127.0.0.1:$P_TLS"
	run docker pull "$img"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Downloaded newer image for $img"* ]]
}

@test "auth: basic auth: refused without credentials, berthctl login/pull/logout" {
	local img=127.0.0.1:$P_BASIC/test/busybox:1
	run "$BERTHCTL" -H "unix://$BD/s.sock" pull "$img"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"no basic auth credentials"* ]]
	bd_store_empty "$BD"

	run "$BERTHCTL" -H "unix://$BD/s.sock" login -u "$USER_" -p wrong "127.0.0.1:$P_BASIC"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"Error response from daemon: login attempt to http://127.0.0.1:$P_BASIC/v2/ failed with status: 401 Unauthorized"* ]]
	[ ! -e "$BERTH_CONFIG/config.json" ]

	run "$BERTHCTL" -H "unix://$BD/s.sock" login -u "$USER_" --password-stdin "127.0.0.1:$P_BASIC" <<<"$PASS_"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Login Succeeded"* ]]
	[ "$(stat -c %a "$BERTH_CONFIG/config.json")" = 600 ]
	[ "$(jq -r ".auths[\"127.0.0.1:$P_BASIC\"].auth" "$BERTH_CONFIG/config.json" | base64 -d)" = "$USER_:$PASS_" ]

	run "$BERTHCTL" -H "unix://$BD/s.sock" pull "$img"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Status: Downloaded newer image for $img"* ]]

	run "$BERTHCTL" -H "unix://$BD/s.sock" logout "127.0.0.1:$P_BASIC"
	[ "$status" -eq 0 ]
	[[ $output == *"Removing login credentials for 127.0.0.1:$P_BASIC"* ]]
	[ "$(jq -c .auths "$BERTH_CONFIG/config.json")" = "{}" ]
	run "$BERTHCTL" -H "unix://$BD/s.sock" logout "127.0.0.1:$P_BASIC"
	[[ $output == *"Not logged in to 127.0.0.1:$P_BASIC"* ]]
	docker rmi "$img" >/dev/null
	run "$BERTHCTL" -H "unix://$BD/s.sock" pull "$img"
	[ "$status" -ne 0 ]
}

@test "auth: token auth: anonymous is unauthorized, X-Registry-Auth pulls, wrong password is clear" {
	local img=127.0.0.1:$P_REGT/test/busybox:1
	run docker pull "$img"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"unauthorized: authentication required"* ]]
	bd_store_empty "$BD"

	run api -X POST -H "X-Registry-Auth: $(xra "$USER_" nope "127.0.0.1:$P_REGT")" \
		"/v1.41/images/create?fromImage=127.0.0.1:$P_REGT/test/busybox&tag=1"
	echo "$output"
	[[ $output == *"unauthorized: incorrect username or password"* ]]
	bd_store_empty "$BD"

	run api -X POST -H "X-Registry-Auth: $(xra "$USER_" "$PASS_" "127.0.0.1:$P_REGT")" \
		"/v1.41/images/create?fromImage=127.0.0.1:$P_REGT/test/busybox&tag=1"
	echo "$output"
	[[ $output == *"Status: Downloaded newer image for $img"* ]]
	# the token was fetched with the credentials and the repository's pull scope
	grep -q 'scope=repository%3Atest%2Fbusybox%3Apull' "$PD/token.log"
}

@test "auth: docker CLIs log in through POST /auth, pull with their credentials, log out" {
	local cli img=127.0.0.1:$P_REGT/test/busybox:1
	for cli in /usr/bin/docker /usr/local/bin/docker; do
		[[ -x $cli ]] || continue
		rm -rf "$DOCKER_CONFIG"
		run "$cli" -H "unix://$BD/s.sock" login -u "$USER_" -p wrong "127.0.0.1:$P_REGT"
		echo "$cli: $output"
		[ "$status" -ne 0 ]
		[[ $output == *"unauthorized: incorrect username or password"* ]]

		run "$cli" -H "unix://$BD/s.sock" login -u "$USER_" --password-stdin "127.0.0.1:$P_REGT" <<<"$PASS_"
		echo "$cli: $output"
		[ "$status" -eq 0 ]
		[[ $output == *"Login Succeeded"* ]]
		run "$cli" -H "unix://$BD/s.sock" pull "$img"
		echo "$cli: $output"
		[ "$status" -eq 0 ]
		[[ $output == *"Downloaded newer image for $img"* ]]
		"$cli" -H "unix://$BD/s.sock" rmi "$img" >/dev/null
		run "$cli" -H "unix://$BD/s.sock" logout "127.0.0.1:$P_REGT"
		[ "$status" -eq 0 ]
		run "$cli" -H "unix://$BD/s.sock" pull "$img"
		[ "$status" -ne 0 ]
	done
	# basic auth registries too
	rm -rf "$DOCKER_CONFIG"
	run docker login -u "$USER_" --password-stdin "127.0.0.1:$P_BASIC" <<<"$PASS_"
	echo "$output"
	[ "$status" -eq 0 ]
	run docker pull "127.0.0.1:$P_BASIC/test/busybox:1"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "auth: berthd's own credentials file (auth.json beside daemon.json) serves pulls without X-Registry-Auth" {
	local img=127.0.0.1:$P_REGT/test/busybox:1
	printf '{"auths": {"127.0.0.1:%s": {"auth": "%s"}}}\n' "$P_REGT" \
		"$(printf '%s' "$USER_:$PASS_" | base64 -w0)" >"$BD/auth.json"
	run docker pull "$img"
	echo "$output"
	[ "$status" -eq 0 ]
	rm -f "$BD/auth.json"
}

@test "auth: Docker Hub pulls go to registry-mirrors in order: a 404 and a dead one are skipped" {
	run "$BERTHCTL" -H "unix://$BD/s.sock" pull busybox
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Status: Downloaded newer image for busybox:latest"* ]]
	[ "$(docker image inspect -f '{{index .RepoTags 0}}' busybox)" = busybox:latest ]
	run docker pull docker.io/library/busybox:nope
	echo "$output"
	[ "$status" -ne 0 ]
	bd_store_empty "$BD" || { docker image prune -af >/dev/null; bd_store_empty "$BD"; }
}

@test "auth: retries: 503s and a dropped blob transfer are retried, the blob resumed with Range" {
	local img=127.0.0.1:$P_PROXY/test/busybox:1
	run "$BERTHCTL" -H "unix://$BD/s.sock" pull "$img"
	echo "$output"
	cat "$PD/proxy.log"
	[ "$status" -eq 0 ]
	[[ $output == *"Status: Downloaded newer image for $img"* ]]
	grep -q '/manifests/1 range=- -> 503' "$PD/proxy.log"
	grep -q 'cut after' "$PD/proxy.log"
	grep -Eq '/blobs/sha256:[0-9a-f]+ range=bytes=[1-9][0-9]*- -> 206' "$PD/proxy.log"
}

@test "auth: POST /auth answers docker's shapes" {
	run api -X POST -H 'Content-Type: application/json' \
		-d "{\"username\":\"$USER_\",\"password\":\"$PASS_\",\"serveraddress\":\"127.0.0.1:$P_BASIC\"}" /v1.41/auth
	echo "$output"
	[ "$(jq -r .Status <<<"$output")" = "Login Succeeded" ]
	[ "$(jq -r .IdentityToken <<<"$output")" = "" ]
	run api -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		-d "{\"username\":\"$USER_\",\"password\":\"x\",\"serveraddress\":\"127.0.0.1:$P_BASIC\"}" /v1.41/auth
	[ "$output" = 401 ]
	run api -o /dev/null -w '%{http_code}' -X POST -d "nope" /v1.41/auth
	[ "$output" = 400 ]
}

# --- push through the same sessions ---

OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json

# load_as NAME...: the test image, loaded into berthd and tagged NAME...
load_as() {
	local n
	docker load -q -i "$PD/img.tar" >/dev/null
	for n in "$@"; do docker tag busybox "$n"; done
}

@test "auth: push to the TLS registry: x509 error without the CA, pushed with it in certs.d; insecure-registries; client certificates" {
	local img=127.0.0.1:$P_TLS/push/tls:1 d=/etc/berth/certs.d/127.0.0.1:$P_TLS
	load_as "$img"
	rm -rf "$d"
	run "$BERTHCTL" -H "unix://$BD/s.sock" push "$img"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"Get \"https://127.0.0.1:$P_TLS/v2/\": x509: certificate signed by unknown authority"* ]]
	[ "$(docker image inspect -f '{{len .RepoDigests}}' "$img")" = 0 ]

	mkdir -p "$d"
	cp "$PD/pki/ca.crt" "$d/ca.crt"
	run "$BERTHCTL" -H "unix://$BD/s.sock" push "$img"
	echo "$output"
	rm -rf "$d"
	[ "$status" -eq 0 ]
	[[ $output == *"1: digest: sha256:"* ]]
	# what went up is there, read over verified TLS by skopeo
	skopeo inspect --cert-dir "$PD/skcerts" "docker://$img" >/dev/null
	[ "$(docker image inspect -f '{{len .RepoDigests}}' "$img")" = 1 ]
	# the same registry as an insecure-registries entry: HTTPS without verification, no CA
	docker tag busybox "localhost:$P_TLS/push/insecure:1"
	run docker push "localhost:$P_TLS/push/insecure:1"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"1: digest: sha256:"* ]]
	# the registry asking for a client certificate: client.cert/client.key from certs.d
	d=/etc/berth/certs.d/127.0.0.1:$P_MTLS
	mkdir -p "$d"
	cp "$PD/pki/ca.crt" "$PD/pki/client.cert" "$PD/pki/client.key" "$d/"
	docker tag busybox "127.0.0.1:$P_MTLS/push/mtls:1"
	run docker push "127.0.0.1:$P_MTLS/push/mtls:1"
	echo "$output"
	rm -rf "$d"
	[ "$status" -eq 0 ]
	[[ $output == *"1: digest: sha256:"* ]]
}

@test "auth: push to the htpasswd registry: refused without credentials, pushed after berthctl login and docker login" {
	local img=127.0.0.1:$P_BASIC/push/basic:1 cli n=0
	load_as "$img"
	run "$BERTHCTL" -H "unix://$BD/s.sock" push "$img"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"no basic auth credentials"* ]]
	# wrong credentials in the request: docker push's words
	run api -X POST -H "X-Registry-Auth: $(xra "$USER_" wrong "127.0.0.1:$P_BASIC")" \
		"/v1.41/images/127.0.0.1:$P_BASIC/push/basic/push?tag=1"
	echo "$output"
	[[ $(tail -n1 <<<"$output" | jq -r .error) == "unauthorized: authentication required" ]]

	"$BERTHCTL" -H "unix://$BD/s.sock" login -u "$USER_" --password-stdin "127.0.0.1:$P_BASIC" <<<"$PASS_"
	run "$BERTHCTL" -H "unix://$BD/s.sock" push "$img"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"1: digest: sha256:"* ]]
	curl -sf -u "$USER_:$PASS_" -H "Accept: $OCI_MANIFEST" -o /dev/null "http://127.0.0.1:$P_BASIC/v2/push/basic/manifests/1"

	for cli in /usr/bin/docker /usr/local/bin/docker; do
		[[ -x $cli ]] || continue
		n=$((n + 1))
		img=127.0.0.1:$P_BASIC/push/cli$n:1
		docker tag busybox "$img"
		rm -rf "$DOCKER_CONFIG"
		run "$cli" push "$img"
		echo "$cli: $output"
		[ "$status" -ne 0 ]
		[[ $output == *"no basic auth credentials"* ]]
		"$cli" login -u "$USER_" --password-stdin "127.0.0.1:$P_BASIC" <<<"$PASS_"
		run "$cli" push "$img"
		echo "$cli: $output"
		[ "$status" -eq 0 ]
		[[ $output == *"1: digest: sha256:"* ]]
		curl -sf -u "$USER_:$PASS_" -H "Accept: $OCI_MANIFEST" -o /dev/null "http://127.0.0.1:$P_BASIC/v2/push/cli$n/manifests/1"
		"$cli" logout "127.0.0.1:$P_BASIC" >/dev/null
	done
	[ "$n" -ge 1 ]
}

@test "auth: token auth push: anonymous and pull-only users are denied, the right user pushes, a mount asks for the source's pull scope" {
	local img=127.0.0.1:$P_REGT/push/tok:1 img2=127.0.0.1:$P_REGT/push/tok2:1
	load_as "$img" "$img2"
	rm -rf "$DOCKER_CONFIG"
	run docker push "$img"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"denied: requested access to the resource is denied"* ]]
	# reader may pull but not push: its token lacks push, the registry says insufficient_scope
	docker login -u reader --password-stdin "127.0.0.1:$P_REGT" <<<"$RPASS_"
	run docker push "$img"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"denied: requested access to the resource is denied"* ]]
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P_REGT/v2/push/tok/manifests/1"
	[ "$output" = 401 ]
	grep -q 'scope=repository%3Apush%2Ftok%3Apull%2Cpush&account=reader' "$PD/token.log"

	docker login -u "$USER_" --password-stdin "127.0.0.1:$P_REGT" <<<"$PASS_"
	run docker push "$img"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"1: digest: sha256:"* ]]
	grep -q "scope=repository%3Apush%2Ftok%3Apull%2Cpush&account=$USER_" "$PD/token.log"
	# another repository: its layer is mounted from push/tok, with a token for both scopes
	run docker push "$img2"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Mounted from push/tok"* ]]
	grep -q "scope=repository%3Apush%2Ftok2%3Apull%2Cpush&scope=repository%3Apush%2Ftok%3Apull&account=$USER_" "$PD/token.log"
	# the pushed image pulls back with the token (skopeo, as a second client)
	skopeo inspect --tls-verify=false --creds "$USER_:$PASS_" "docker://$img2" >/dev/null
}

@test "auth: push retries: a dropped upload restarts from scratch, 503s on HEAD, POST and the manifest are retried" {
	local img=127.0.0.1:$P_PROXY/push/retry:1
	load_as "$img"
	run "$BERTHCTL" -H "unix://$BD/s.sock" push "$img"
	echo "$output"
	cat "$PD/proxy.log"
	[ "$status" -eq 0 ]
	[[ $output == *"1: digest: sha256:"* ]]
	grep -q 'cut upload after' "$PD/proxy.log"
	grep -Eq '^HEAD /v2/push/retry/blobs/sha256:[0-9a-f]+ range=- -> 503' "$PD/proxy.log"
	grep -q '^POST /v2/push/retry/blobs/uploads/ range=- -> 503' "$PD/proxy.log"
	grep -q '^PUT /v2/push/retry/manifests/1 range=- -> 503' "$PD/proxy.log"
	grep -q '^PUT /v2/push/retry/manifests/1 range=- -> 201' "$PD/proxy.log"
	# at least two upload sessions were opened (the cut one was started again from scratch)
	[ "$(grep -c '^POST /v2/push/retry/blobs/uploads/ range=- -> 202' "$PD/proxy.log")" -ge 2 ]
	# it is all there, read from the registry behind the proxy
	skopeo inspect --tls-verify=false "docker://127.0.0.1:$P_PLAIN/push/retry:1" >/dev/null
}

@test "auth: berthctl push renders the progress in place on a terminal, plain lines elsewhere" {
	local img=127.0.0.1:$P_PLAIN/push/tty:1
	load_as "$img"
	run script -qefc "'$BERTHCTL' -H 'unix://$BD/s.sock' push '$img'" /dev/null
	echo "$output" | cat -v
	[ "$status" -eq 0 ]
	# cursor up, clear line, cursor down: docker's in-place layer lines
	[[ $output == *$'\e['[0-9]*'A'$'\r\e[2K'*': Pushed'$'\r\e['[0-9]*'B'* ]]
	[[ $output == *"1: digest: sha256:"* ]]
	# without a terminal: no escapes, no bars
	docker tag busybox "127.0.0.1:$P_PLAIN/push/tty:2"
	run "$BERTHCTL" -H "unix://$BD/s.sock" push "127.0.0.1:$P_PLAIN/push/tty:2"
	[ "$status" -eq 0 ]
	[[ $output != *$'\e'* ]]
	[[ $output == *": Layer already exists"* ]]
}

@test "auth: berthd's auth.json serves pushes that bring no credentials" {
	local img=127.0.0.1:$P_REGT/push/authjson:1
	load_as "$img"
	printf '{"auths": {"127.0.0.1:%s": {"auth": "%s"}}}\n' "$P_REGT" \
		"$(printf '%s' "$USER_:$PASS_" | base64 -w0)" >"$BD/auth.json"
	run api -X POST "/v1.41/images/127.0.0.1:$P_REGT/push/authjson/push?tag=1"
	echo "$output"
	rm -f "$BD/auth.json"
	[[ $(tail -n1 <<<"$output" | jq -r .aux.Tag) == 1 ]]
	skopeo inspect --tls-verify=false --creds "$USER_:$PASS_" "docker://$img" >/dev/null
}

@test "auth: a push waiting on its registry does not hold the image lock" {
	local port img i
	port=$(free_port)
	# a "registry" that accepts connections and never answers
	peers_spawn hang /usr/bin/python3 -c 'import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16); held = []
while True: held.append(s.accept())' "$port"
	for ((i = 0; i < 100; i++)); do
		python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])))' "$port" 2>/dev/null && break
		sleep 0.05
	done
	img=127.0.0.1:$port/push/hang:1
	load_as "$img"
	"$BERTHCTL" -H "unix://$BD/s.sock" push "$img" >"$BATS_TEST_TMPDIR/push.out" 2>&1 &
	echo $! >"$BATS_TEST_TMPDIR/client.pid"
	for ((i = 0; i < 100; i++)); do
		grep -q 'The push refers to' "$BATS_TEST_TMPDIR/push.out" && break
		sleep 0.05
	done
	grep -q 'The push refers to' "$BATS_TEST_TMPDIR/push.out"
	sleep 0.5
	# the push is inside its network I/O; image calls answer meanwhile, rmi included
	run timeout 5 docker images -q
	[ "$status" -eq 0 ]
	run timeout 5 docker tag busybox "127.0.0.1:$port/push/other:1"
	[ "$status" -eq 0 ]
	run timeout 5 docker rmi "127.0.0.1:$port/push/other:1"
	[ "$status" -eq 0 ]
	# the registry goes away: the push fails and says where
	peers_stop hang
	local rc=0
	wait "$(cat "$BATS_TEST_TMPDIR/client.pid")" || rc=$?
	rm -f "$BATS_TEST_TMPDIR/client.pid"
	cat "$BATS_TEST_TMPDIR/push.out"
	[ "$rc" -eq 1 ]
	grep -q "127.0.0.1:$port" "$BATS_TEST_TMPDIR/push.out"
}
