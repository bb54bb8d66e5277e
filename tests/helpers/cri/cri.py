#!/usr/bin/python3
"""A small CRI (runtime.v1) client for berth's tests: calls containerd's CRI plugin the way kubelet does.

usage: cri.py --socket SOCK [--gen DIR] [--timeout SECONDS] COMMAND ARGS...

  version                          Version
  runp CONFIG.json [--handler H]   RunPodSandbox (CONFIG: a PodSandboxConfig as JSON) -> {"id"}
  inspectp POD                     PodSandboxStatus (verbose) -> {"status", "info"}
  pods                             ListPodSandbox -> {"items"}
  stopp POD / rmp POD              StopPodSandbox / RemovePodSandbox
  create POD CONFIG.json PODCONFIG.json
                                   CreateContainer (CONFIG: a ContainerConfig) -> {"id"}
  start ID / rm ID                 StartContainer / RemoveContainer
  stop ID [--timeout N]            StopContainer (grace period N seconds, default 0)
  inspect ID                       ContainerStatus (verbose) -> {"status", "info"}
  ps [--pod POD]                   ListContainers -> {"containers"}
  exec-sync ID [--timeout N] CMD... ExecSync -> {"stdout", "stderr", "exit_code"} (output as text)
  exec-bench ID N CMD...           N ExecSync calls on one connection -> {"n", "seconds", "per_call_ms",
                                   "exit_codes"} (for bench/cri.sh: no interpreter start-up per call)
  stats ID                         ContainerStats -> {"stats"}
  update ID RESOURCES.json         UpdateContainerResources (RESOURCES: LinuxContainerResources)
  images                           ListImages -> {"images"}
  inspecti IMAGE                   ImageStatus -> {"image"}

Output is one JSON document on stdout, keys as in the .proto (snake_case). An RPC error exits 1 and
prints {"error": {"code": "NOT_FOUND", "details": "..."}} on stdout.

The Python stubs are generated from tests/helpers/cri/api.proto with `python3 -m grpc_tools.protoc`
into --gen DIR (default: $CRI_GEN_DIR, else a fresh temporary directory that is removed on exit).
Needs Debian's python3-grpcio and python3-grpc-tools; run it with /usr/bin/python3 when another
python3 comes first on PATH.
"""
import argparse
import importlib
import json
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def load_stubs(gen_dir):
    """Generate api_pb2*.py into GEN_DIR unless they are already there and newer than the .proto."""
    proto = os.path.join(HERE, "api.proto")
    out = os.path.join(gen_dir, "api_pb2.py")
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(proto):
        from grpc_tools import protoc
        # protoc writes each file in place; a concurrent reader might see a half-written one, so
        # generate into a private directory and rename the results.
        tmp = tempfile.mkdtemp(dir=gen_dir)
        try:
            rc = protoc.main(["protoc", "-I" + HERE, "--python_out=" + tmp, "--grpc_python_out=" + tmp, proto])
            if rc != 0:
                sys.exit("cri.py: protoc failed on %s" % proto)
            for name in ("api_pb2_grpc.py", "api_pb2.py"):
                os.replace(os.path.join(tmp, name), os.path.join(gen_dir, name))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    sys.path.insert(0, gen_dir)
    return importlib.import_module("api_pb2"), importlib.import_module("api_pb2_grpc")


def main():
    p = argparse.ArgumentParser(prog="cri.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--socket", required=True, help="containerd's gRPC socket")
    p.add_argument("--gen", default=os.environ.get("CRI_GEN_DIR"), help="directory for the generated stubs")
    p.add_argument("--timeout", type=float, default=60.0, help="deadline of each RPC in seconds")
    p.add_argument("command")
    p.add_argument("args", nargs=argparse.REMAINDER)
    a = p.parse_args()

    tmp = None
    gen = a.gen
    if not gen:
        gen = tmp = tempfile.mkdtemp(prefix="cri-gen.")
    try:
        return run(a, gen)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def run(a, gen):
    import grpc
    from google.protobuf import json_format

    pb, pbg = load_stubs(gen)
    chan = grpc.insecure_channel("unix://" + os.path.abspath(a.socket))
    rt = pbg.RuntimeServiceStub(chan)
    im = pbg.ImageServiceStub(chan)
    T = a.timeout

    def out(msg_or_dict):
        if not isinstance(msg_or_dict, dict):
            msg_or_dict = json_format.MessageToDict(msg_or_dict, preserving_proto_field_name=True,
                                                    including_default_value_fields=True)
        json.dump(msg_or_dict, sys.stdout, indent=1, sort_keys=True)
        sys.stdout.write("\n")

    def load(path, cls):
        with open(path) as f:
            return json_format.Parse(f.read(), cls())

    args = a.args
    cmd = a.command

    def opt(name, default=None, conv=str):
        if name in args:
            i = args.index(name)
            v = conv(args[i + 1])
            del args[i:i + 2]
            return v
        return default

    def need(n, usage):
        if len(args) < n:
            sys.exit("usage: cri.py --socket S " + usage)

    try:
        if cmd == "version":
            out(rt.Version(pb.VersionRequest(version="v1"), timeout=T))
        elif cmd == "runp":
            handler = opt("--handler", "")
            need(1, "runp CONFIG.json [--handler H]")
            r = rt.RunPodSandbox(pb.RunPodSandboxRequest(config=load(args[0], pb.PodSandboxConfig),
                                                         runtime_handler=handler), timeout=T)
            out({"id": r.pod_sandbox_id})
        elif cmd == "inspectp":
            need(1, "inspectp POD")
            out(rt.PodSandboxStatus(pb.PodSandboxStatusRequest(pod_sandbox_id=args[0], verbose=True), timeout=T))
        elif cmd == "pods":
            out(rt.ListPodSandbox(pb.ListPodSandboxRequest(), timeout=T))
        elif cmd == "stopp":
            need(1, "stopp POD")
            out(rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=args[0]), timeout=T))
        elif cmd == "rmp":
            need(1, "rmp POD")
            out(rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=args[0]), timeout=T))
        elif cmd == "create":
            need(3, "create POD CONFIG.json PODCONFIG.json")
            r = rt.CreateContainer(pb.CreateContainerRequest(
                pod_sandbox_id=args[0], config=load(args[1], pb.ContainerConfig),
                sandbox_config=load(args[2], pb.PodSandboxConfig)), timeout=T)
            out({"id": r.container_id})
        elif cmd == "start":
            need(1, "start ID")
            out(rt.StartContainer(pb.StartContainerRequest(container_id=args[0]), timeout=T))
        elif cmd == "stop":
            grace = opt("--timeout", 0, int)
            need(1, "stop ID [--timeout N]")
            out(rt.StopContainer(pb.StopContainerRequest(container_id=args[0], timeout=grace), timeout=T + grace))
        elif cmd == "rm":
            need(1, "rm ID")
            out(rt.RemoveContainer(pb.RemoveContainerRequest(container_id=args[0]), timeout=T))
        elif cmd == "inspect":
            need(1, "inspect ID")
            out(rt.ContainerStatus(pb.ContainerStatusRequest(container_id=args[0], verbose=True), timeout=T))
        elif cmd == "ps":
            pod = opt("--pod", "")
            f = pb.ContainerFilter(pod_sandbox_id=pod)
            out(rt.ListContainers(pb.ListContainersRequest(filter=f), timeout=T))
        elif cmd == "exec-sync":
            limit = opt("--timeout", 0, int)
            need(2, "exec-sync ID [--timeout N] CMD...")
            r = rt.ExecSync(pb.ExecSyncRequest(container_id=args[0], cmd=args[1:], timeout=limit), timeout=T)
            out({"stdout": r.stdout.decode(errors="replace"), "stderr": r.stderr.decode(errors="replace"),
                 "exit_code": r.exit_code})
        elif cmd == "exec-bench":
            need(3, "exec-bench ID N CMD...")
            n = int(args[1])
            req = pb.ExecSyncRequest(container_id=args[0], cmd=args[2:])
            codes = {}
            t0 = time.monotonic()
            for _ in range(n):
                r = rt.ExecSync(req, timeout=T)
                codes[r.exit_code] = codes.get(r.exit_code, 0) + 1
            dt = time.monotonic() - t0
            out({"n": n, "seconds": dt, "per_call_ms": dt * 1000.0 / n,
                 "exit_codes": {str(k): v for k, v in codes.items()}})
        elif cmd == "stats":
            need(1, "stats ID")
            out(rt.ContainerStats(pb.ContainerStatsRequest(container_id=args[0]), timeout=T))
        elif cmd == "update":
            need(2, "update ID RESOURCES.json")
            out(rt.UpdateContainerResources(pb.UpdateContainerResourcesRequest(
                container_id=args[0], linux=load(args[1], pb.LinuxContainerResources)), timeout=T))
        elif cmd == "images":
            out(im.ListImages(pb.ListImagesRequest(), timeout=T))
        elif cmd == "inspecti":
            need(1, "inspecti IMAGE")
            out(im.ImageStatus(pb.ImageStatusRequest(image=pb.ImageSpec(image=args[0])), timeout=T))
        else:
            sys.exit("cri.py: unknown command %r (see --help)" % cmd)
    except grpc.RpcError as e:
        out({"error": {"code": e.code().name, "details": e.details()}})
        return 1
    finally:
        chan.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
