#!/usr/bin/python3
"""tests/helpers/dockerpy_check.py: docker-py (Debian's python3-docker) as a client of berthd.

Usage: dockerpy_check.py SOCKET CHECK...
Checks: images, run, detach, options, events, more (or "all"). Each check prints "ok CHECK" or
"FAIL CHECK: what differed" and the exit status is the number of failures. Every container a
check creates is labelled berth.test=dockerpy and removed (force) when the check ends.
"""
import sys
import threading
import time
import traceback

import docker

LABEL = {"berth.test": "dockerpy"}


class Mismatch(Exception):
    pass


def expect(what, got, want):
    if got != want:
        raise Mismatch("%s: got %r, want %r" % (what, got, want))


def cleanup(client):
    for c in client.containers.list(all=True, filters={"label": "berth.test=dockerpy"}):
        try:
            c.remove(force=True)
        except docker.errors.APIError as e:
            print("cleanup: removing %s: %s" % (c.id, e), file=sys.stderr)


def check_images(client):
    imgs = client.images.list()
    tags = [t for i in imgs for t in i.tags]
    if "busybox:latest" not in tags:
        raise Mismatch("images.list: busybox:latest not in %r" % tags)
    img = client.images.get("busybox")
    expect("images.get('busybox').tags", "busybox:latest" in img.tags, True)
    if not img.id.startswith("sha256:"):
        raise Mismatch("images.get: id %r is not sha256:..." % img.id)
    cmd = img.attrs.get("Config", {}).get("Cmd")
    expect("images.get attrs Config.Cmd", cmd, ["sh"])
    try:
        client.images.get("nosuchimage:nope")
        raise Mismatch("images.get of a missing image did not raise")
    except docker.errors.ImageNotFound:
        pass


def check_run(client):
    out = client.containers.run("busybox", "echo hi", remove=False, labels=LABEL)
    expect("containers.run('echo hi')", out, b"hi\n")
    out = client.containers.run("busybox", ["sh", "-c", "echo a; echo b >&2"], stderr=True,
                                remove=True, labels=LABEL)
    if sorted(out.split()) != [b"a", b"b"]:
        raise Mismatch("run with stderr=True: got %r, want a and b" % out)
    try:
        client.containers.run("busybox", ["sh", "-c", "echo oops >&2; exit 4"], labels=LABEL)
        raise Mismatch("run of a command exiting 4 did not raise ContainerError")
    except docker.errors.ContainerError as e:
        expect("ContainerError.exit_status", e.exit_status, 4)
        expect("ContainerError.stderr", e.stderr, b"oops\n")
    try:
        client.containers.run("nosuchimage:nope", "true", labels=LABEL)
        raise Mismatch("run of a missing image did not raise")
    except docker.errors.ImageNotFound:
        pass
    except docker.errors.APIError as e:
        # docker-py pulls when create says 404; a failed pull is an APIError too
        if e.status_code not in (404, 500):
            raise


def check_detach(client):
    c = client.containers.run("busybox", ["sh", "-c", "echo started; trap 'exit 0' TERM; "
                                          "while :; do sleep 0.1; done"],
                              detach=True, name="dockerpy-detach", labels=LABEL)
    if not hasattr(c, "id") or len(c.id) != 64:
        raise Mismatch("run(detach=True) returned %r" % (c,))
    ids = [x.id for x in client.containers.list()]
    if c.id not in ids:
        raise Mismatch("containers.list(): %s not among %r" % (c.id, ids))
    c.reload()
    expect("status after run(detach=True)", c.status, "running")
    expect("name", c.name, "dockerpy-detach")
    expect("get by name", client.containers.get("dockerpy-detach").id, c.id)
    deadline = time.time() + 5
    while b"started" not in c.logs() and time.time() < deadline:
        time.sleep(0.1)
    expect("logs()", c.logs(), b"started\n")
    expect("logs(stdout=False)", c.logs(stdout=False, stderr=True), b"")
    r = c.exec_run('sh -c "echo to-out; echo to-err >&2; exit 3"')
    expect("exec_run exit_code", r.exit_code, 3)
    if sorted(r.output.split()) != [b"to-err", b"to-out"]:
        raise Mismatch("exec_run output: got %r" % r.output)
    r = c.exec_run(["cat", "/etc/hostname"], demux=True)
    expect("exec_run(demux) exit_code", r.exit_code, 0)
    expect("exec_run(demux) stdout", r.output[0], (c.id[:12] + "\n").encode())
    expect("exec_run(demux) stderr", r.output[1], None)
    r = c.exec_run("pwd", workdir="/tmp", environment={"X": "1"})
    expect("exec_run(workdir) output", r.output, b"/tmp\n")
    # docker-py reads the 101's headers through a buffered reader, then the raw socket: output
    # sent along with the headers would be lost (berthd waits until they are read)
    for i in range(20):
        r = c.exec_run(["echo", str(i)])
        expect("exec_run #%d output" % i, r.output, b"%d\n" % i)
    c.stop(timeout=5)
    c.reload()
    expect("status after stop", c.status, "exited")
    expect("exit code after stop", c.attrs["State"]["ExitCode"], 0)
    expect("wait() after stop", c.wait(timeout=5)["StatusCode"], 0)
    c.remove()
    ids = [x.id for x in client.containers.list(all=True)]
    if c.id in ids:
        raise Mismatch("container %s still listed after remove()" % c.id)
    try:
        client.containers.get(c.id)
        raise Mismatch("get after remove did not raise NotFound")
    except docker.errors.NotFound:
        pass


def check_options(client):
    script = 'echo "$FOO|$(pwd)|$(id -u):$(id -g)|$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes ' \
             '2>/dev/null || cat /sys/fs/cgroup/memory.max)"'
    c = client.containers.run("busybox", ["sh", "-c", script], detach=True,
                              environment={"FOO": "bar baz"}, working_dir="/tmp",
                              user="1234:5678", labels=dict(LABEL, color="blue"),
                              mem_limit="64m")
    res = c.wait(timeout=20)
    expect("wait StatusCode", res["StatusCode"], 0)
    out = c.logs()
    expect("environment|working_dir|user|memory limit", out, b"bar baz|/tmp|1234:5678|67108864\n")
    c.reload()
    cfg = c.attrs["Config"]
    expect("Config.Labels.color", cfg["Labels"].get("color"), "blue")
    expect("Config.User", cfg["User"], "1234:5678")
    expect("Config.WorkingDir", cfg["WorkingDir"], "/tmp")
    if "FOO=bar baz" not in cfg["Env"]:
        raise Mismatch("Config.Env %r lacks FOO=bar baz" % cfg["Env"])
    expect("HostConfig.Memory", c.attrs["HostConfig"]["Memory"], 64 * 1024 * 1024)
    lst = client.containers.list(all=True, filters={"label": "color=blue"})
    expect("list(filters=label) ids", [x.id for x in lst], [c.id])
    c.remove()


def check_events(client):
    since = int(time.time()) - 1
    seen = []
    stream = client.events(decode=True, filters={"type": "container"})
    done = threading.Event()

    def reader():
        try:
            for ev in stream:
                seen.append(ev)
                if ev.get("status") == "die" or ev.get("Action") == "die":
                    if any(e.get("Action") == "start" for e in seen):
                        break
        except Exception as e:  # the stream is closed under us at the end
            seen.append({"error": repr(e)})
        done.set()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    time.sleep(0.3)
    c = client.containers.run("busybox", "true", detach=True, labels=LABEL)
    c.wait(timeout=20)
    done.wait(10)
    stream.close()
    acts = [(e.get("Action"), e.get("id") or e.get("Actor", {}).get("ID")) for e in seen]
    mine = [a for a, i in acts if i == c.id]
    for want in ("start", "die"):
        if want not in mine:
            raise Mismatch("events(decode=True): no %r for %s; saw %r" % (want, c.id[:12], acts))
    die = [e for e in seen if e.get("Action") == "die" and e.get("id") == c.id][0]
    expect("die event exitCode", die.get("Actor", {}).get("Attributes", {}).get("exitCode"), "0")
    # the same events replayed with since/until
    past = list(client.events(decode=True, since=since, until=int(time.time()) + 1,
                              filters={"container": c.id}))
    if "start" not in [e.get("Action") for e in past]:
        raise Mismatch("events(since, until): no start for %s; saw %r" %
                       (c.id[:12], [e.get("Action") for e in past]))
    c.remove()


def check_more(client):
    """stats, update, put_archive/get_archive, diff on a running container."""
    import io
    import tarfile

    c = client.containers.run("busybox", ["sleep", "100"], detach=True, labels=LABEL)
    st = c.stats(stream=False)
    expect("stats id", st["id"], c.id)
    if st["memory_stats"].get("usage", 0) <= 0 or st["pids_stats"].get("current", 0) < 1:
        raise Mismatch("stats memory/pids: %r %r" % (st["memory_stats"], st["pids_stats"]))
    c.update(mem_limit="48m", memswap_limit="96m")
    c.reload()
    expect("HostConfig.Memory after update", c.attrs["HostConfig"]["Memory"], 48 * 1024 * 1024)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        data = b"from docker-py\n"
        info = tarfile.TarInfo("hello.txt")
        info.size = len(data)
        info.mode = 0o640
        t.addfile(info, io.BytesIO(data))
    expect("put_archive", c.put_archive("/tmp", buf.getvalue()), True)
    r = c.exec_run(["cat", "/tmp/hello.txt"])
    expect("file put in", r.output, b"from docker-py\n")
    bits, stat = c.get_archive("/tmp/hello.txt")
    expect("get_archive stat name", stat["name"], "hello.txt")
    with tarfile.open(fileobj=io.BytesIO(b"".join(bits))) as t:
        expect("get_archive content", t.extractfile("hello.txt").read(), b"from docker-py\n")
    changes = {(d["Path"], d["Kind"]) for d in c.diff()}
    if ("/tmp/hello.txt", 1) not in changes:
        raise Mismatch("diff lacks A /tmp/hello.txt: %r" % sorted(changes))
    c.remove(force=True)


CHECKS = {"images": check_images, "run": check_run, "detach": check_detach,
          "options": check_options, "events": check_events, "more": check_more}


def main():
    sock = sys.argv[1]
    names = sys.argv[2:] or ["all"]
    if names == ["all"]:
        names = list(CHECKS)
    client = docker.DockerClient(base_url="unix://" + sock, version="1.41", timeout=60)
    expect("ping", client.ping(), True)
    fails = 0
    for n in names:
        try:
            CHECKS[n](client)
            print("ok %s" % n)
        except Mismatch as e:
            fails += 1
            print("FAIL %s: %s" % (n, e))
        except Exception as e:
            fails += 1
            print("FAIL %s: %s: %s" % (n, type(e).__name__, e))
            traceback.print_exc(file=sys.stdout)
        finally:
            cleanup(client)
        sys.stdout.flush()
    return fails


if __name__ == "__main__":
    sys.exit(main())
