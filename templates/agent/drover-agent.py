#!/usr/bin/python3
# drover-agent: applies a stack's configuration to this running machine, in place.
#
# The machine's user data only bootstraps it; what may change later (accounts and keys,
# slurm.conf, nginx and the gateway's app, chart values, packages) travels as a bundle that
# Terraform updates in place: gzip+base64 JSON in the instance metadata, split into
# drover_cfg_NN keys with a drover_cfg header "<chunks>:<sha256>". Machines the cloud did not
# make through Terraform (Slurm's elastic nodes) read the copy the controller publishes on the
# shared tree. Run by drover-agent.timer every minute, and safe to run at any time: it changes
# only what differs, and a run that fails leaves what it did not finish to the next.
#
# A file that differs from the bundle is written (atomically) and its hooks run; a file whose
# hooks failed is retried until they succeed. Values the bundle must not carry come from the
# machine: @@DROVER_META_<key>@@ from the metadata, @@DROVER_SECRET_<name>@@ from
# /etc/drover/secrets/<name> (written by the user data, root's alone).
#
# Exit codes: 0 applied (or nothing to do), 1 a step failed (retried at the next run),
# 75 the bundle is not there yet or is being updated (retried).
import base64
import fcntl
import gzip
import hashlib
import json
import os
import pwd
import re
import subprocess
import sys
import time
import urllib.request

CONF = "/etc/drover/agent.conf"
STATE_DIR = "/var/lib/drover/agent"
STATE = STATE_DIR + "/state.json"
# What the first boot did already (boot commands cloud-init ran), written by the user data.
SEED = "/etc/drover/agent-seed.json"
SECRETS = "/etc/drover/secrets"
LOCK = "/run/drover-agent.lock"
METADATA_URL = "http://169.254.169.254/openstack/latest/meta_data.json"
SLOT = re.compile(r"@@DROVER_(META|SECRET)_([A-Za-z0-9_.-]+)@@")


class Pending(Exception):
    """The bundle cannot be read yet: try again at the next run."""


def log(message):
    print("drover-agent: " + message, flush=True)


def sha256(data):
    return hashlib.sha256(data if isinstance(data, bytes) else data.encode()).hexdigest()


def read_json(path, default):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def write_atomic(path, data, mode=0o644, uid=0, gid=0):
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    tmp = os.path.join(directory, ".%s.drover-agent" % os.path.basename(path))
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fchown(fd, uid, gid)
        os.fchmod(fd, mode)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def metadata():
    request = urllib.request.Request(METADATA_URL)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response).get("meta", {})
    except OSError as e:
        raise Pending("the metadata service does not answer (%s)" % e)


def fetch(conf):
    """The bundle's header, payload and the metadata its slots read."""
    source = conf["source"]
    if source == "openstack":
        meta = metadata()
        header = meta.get("drover_cfg")
        if not header:
            raise Pending("no drover_cfg key in the metadata")
        count = int(header.split(":", 1)[0])
        chunks = [meta.get("drover_cfg_%02d" % i) for i in range(count)]
        if any(c is None for c in chunks):
            raise Pending("the metadata holds part of the bundle (being updated?)")
        return header, "".join(chunks), meta
    if source.startswith("file:"):
        published = read_json(source[5:], None)
        if published is None:
            raise Pending("%s is not there yet" % source[5:])
        return published["header"], published["payload"], published.get("meta", {})
    raise SystemExit("drover-agent: unknown source %r in %s" % (source, CONF))


def decode(header, payload):
    want = header.split(":", 1)[1]
    if sha256(payload) != want:
        raise Pending("the bundle's checksum does not match its header (being updated?)")
    return json.loads(gzip.decompress(base64.b64decode(payload)))


def fill(text, meta):
    def value(m):
        kind, name = m.group(1), m.group(2)
        if kind == "META":
            if name not in meta:
                raise Pending("the metadata has no %s yet" % name)
            return meta[name]
        try:
            with open(os.path.join(SECRETS, name), encoding="utf-8") as f:
                return f.read().strip()
        except FileNotFoundError:
            raise Pending("secret %s is not on this machine yet" % name)

    return SLOT.sub(value, text)


def owner_ids(owner):
    user, _, group = owner.partition(":")
    entry = pwd.getpwnam(user)
    gid = entry.pw_gid
    if group:
        import grp

        gid = grp.getgrnam(group).gr_gid
    return entry.pw_uid, gid


def for_role(items, role):
    return [i for i in items if role in i.get("roles", [role])]


def run(argv):
    log("running " + " ".join(argv))
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)
    for line in result.stdout.strip().splitlines()[-20:]:
        log("  " + line)
    if result.returncode != 0:
        raise RuntimeError("%s exited %d" % (argv[0], result.returncode))


def apply_files(bundle, role, meta, state, changed):
    desired = {}
    for f in for_role(bundle.get("files", []), role):
        if f.get("initial") and os.path.exists(f["path"]):
            # Written once: the machine fills it in (a password) and keeps it.
            desired[f["path"]] = "initial"
            continue
        content = fill(f["content"], meta).encode()
        mode = int(f.get("mode", "0644"), 8)
        uid, gid = owner_ids(f.get("owner", "root:root"))
        digest = sha256(content + ("%o %d %d" % (mode, uid, gid)).encode())
        desired[f["path"]] = digest
        try:
            st = os.stat(f["path"])
            with open(f["path"], "rb") as current:
                same = current.read() == content and (st.st_mode & 0o7777, st.st_uid, st.st_gid) == (mode, uid, gid)
        except FileNotFoundError:
            same = False
        # A file written by a run whose hooks then failed differs from what was last applied.
        if not same or state["files"].get(f["path"], digest) != digest:
            if not same:
                write_atomic(f["path"], content, mode, uid, gid)
                log("wrote " + f["path"])
            changed.add(f["path"])
    for path in set(state["files"]) - set(desired):
        if state["files"][path] != "initial" and os.path.exists(path):
            os.remove(path)
            log("removed " + path)
        changed.add(path)
    return desired


def apply_users(bundle, state, changed):
    desired = {u["name"]: u for u in bundle.get("users", [])}
    for name, u in desired.items():
        try:
            pwd.getpwnam(name)
        except KeyError:
            run(["useradd", "--uid", str(u["uid"]), "--gid", u.get("group", "users"), "--shell", u.get("shell", "/bin/bash"),
                 "--home-dir", u["home"], "--no-create-home", name])
            run(["passwd", "--lock", name])
            changed.add("@users")
    for name in sorted(set(state["users"]) - set(desired)):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        # Their processes end with the account; the home stays (it is the person's data).
        subprocess.run(["pkill", "-KILL", "-u", name], check=False)
        run(["userdel", name])
        changed.add("@users")
    return sorted(desired)


def apply_homes(bundle, role):
    homes = bundle.get("homes")
    if not homes or role not in homes.get("roles", []):
        return
    base = homes["base"]
    if homes.get("mountpoint") and subprocess.run(["mountpoint", "-q", base]).returncode != 0:
        raise Pending("%s is not mounted yet: the homes are made there" % base)
    for u in bundle.get("users", []):
        home = u["home"]
        if os.path.isdir(home):
            continue
        entry = pwd.getpwnam(u["name"])
        run(["cp", "-rT", "/etc/skel", home])
        run(["chown", "-R", "%d:%d" % (entry.pw_uid, entry.pw_gid), home])
        os.chmod(home, 0o700)


def apply_packages(bundle, role, changed):
    wanted = [p for p in bundle.get("packages", []) if role in p.get("roles", [role])]
    names = [p["name"] for p in wanted]
    if not names:
        return
    missing = [n for n in names if subprocess.run(["dpkg-query", "-W", "-f=${Status}", n], capture_output=True, text=True).stdout != "install ok installed"]
    if missing:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-q"], env=env, check=False)
        log("installing " + " ".join(missing))
        result = subprocess.run(["apt-get", "install", "-y", "-q", *missing], env=env)
        if result.returncode != 0:
            raise RuntimeError("apt-get install %s exited %d" % (" ".join(missing), result.returncode))
        changed.add("@packages")


def apply_once(bundle, role, state):
    for step in for_role(bundle.get("once", []), role):
        if step["id"] in state["once"]:
            continue
        run(step["run"])
        state["once"].append(step["id"])


def apply_hooks(bundle, role, changed):
    for hook in for_role(bundle.get("hooks", []), role):
        if changed.intersection(hook["on"]):
            for argv in hook["run"]:
                run(argv)


def publish(bundle, role, header, payload, meta):
    target = bundle.get("publish")
    if not target or role not in target.get("roles", []):
        return
    refs = {k: v for k, v in meta.items() if k.startswith("drover_ref_")}
    data = json.dumps({"header": header, "payload": payload, "meta": refs}).encode()
    try:
        with open(target["path"], "rb") as f:
            if f.read() == data:
                return
    except FileNotFoundError:
        pass
    write_atomic(target["path"], data, 0o644)
    log("published the bundle at " + target["path"])


def main():
    conf = read_json(CONF, None)
    if conf is None:
        raise SystemExit("drover-agent: %s is missing (written by the machine's user data)" % CONF)
    role = conf["role"]
    os.makedirs(STATE_DIR, mode=0o700, exist_ok=True)
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = read_json(STATE, None) or read_json(SEED, {})
        state.setdefault("files", {})
        state.setdefault("users", [])
        state.setdefault("once", [])
        try:
            header, payload, meta = fetch(conf)
            bundle = decode(header, payload)
            changed = set()
            files = apply_files(bundle, role, meta, state, changed)
            users = apply_users(bundle, state, changed)
            state["users"] = sorted(set(state["users"]) | set(users))
            apply_homes(bundle, role)
            apply_packages(bundle, role, changed)
            apply_once(bundle, role, state)
            apply_hooks(bundle, role, changed)
            publish(bundle, role, header, payload, meta)
        except Pending as e:
            write_atomic(STATE, json.dumps(state, indent=1).encode(), 0o600)
            log("waiting: %s" % e)
            return 75
        except Exception as e:
            write_atomic(STATE, json.dumps(state, indent=1).encode(), 0o600)
            log("failed: %s (retried at the next run)" % e)
            return 1
        first = state.get("applied") != header
        state.update(files=files, users=users, applied=header, at=int(time.time()))
        write_atomic(STATE, json.dumps(state, indent=1).encode(), 0o600)
        if first or changed:
            # The line `drover deploy` looks for in the console log.
            log("configuration %s applied%s" % (header.split(":", 1)[1][:12], " (changed: %s)" % ", ".join(sorted(changed)) if changed else ""))
        return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--status":
        state = read_json(STATE, {})
        print(json.dumps({"applied": state.get("applied"), "at": state.get("at")}))
        sys.exit(0)
    sys.exit(main())
