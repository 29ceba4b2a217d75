# JupyterHub for a class on one machine, as `./kit hub` starts it. Read by JupyterHub (`jupyterhub -f`).
#
# Every learner logs in as a local system user; JupyterHub's LocalProcessSpawner starts that user's own
# JupyterLab, as that user, in their home. Before it starts, nbgitpuller brings the course into
# ~/attention-kit: cloned on the first login, merged on later ones, so the learner's edits are kept
# (nbgitpuller's rules: the learner's changes win, files they deleted come back). The kit's Java kernel
# and its jars are installed once in the hub's folder, readable by everyone, and `Exercises.check` in a
# notebook grades the learner's own ~/attention-kit/exercises.
#
# Settings come from the environment, so this one file serves ./kit hub, The Littlest JupyterHub and the
# Docker image (see deploy/README.md):
#   ATTENTION_KIT_HUB_DIR       the hub's folder (venv, course files, content repository, state), required
#   ATTENTION_KIT_HUB_IP/PORT   where the hub listens (default 127.0.0.1:8000; it also uses the next two ports)
#   ATTENTION_KIT_HUB_AUTH      "pam" (default: system passwords) or "shared-password"
#   ATTENTION_KIT_HUB_PASSWORD  the shared password (shared-password only)
#   ATTENTION_KIT_HUB_USERS     comma-separated learners allowed to log in (empty: every system user, pam only)
#   ATTENTION_KIT_HUB_ADMINS    comma-separated instructors (JupyterHub admins)
#   ATTENTION_KIT_HUB_PROXY     the configurable-http-proxy executable
import os
import pwd

c = get_config()  # noqa: F821 (defined by JupyterHub when it reads this file)

hub_dir = os.environ["ATTENTION_KIT_HUB_DIR"]
state = os.path.join(hub_dir, "state")


def names(variable):
    return {n.strip() for n in os.environ.get(variable, "").split(",") if n.strip()}


c.JupyterHub.ip = os.environ.get("ATTENTION_KIT_HUB_IP", "127.0.0.1")
c.JupyterHub.port = int(os.environ.get("ATTENTION_KIT_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
# The hub's own API and the proxy's API sit on the next two ports, so two hubs (or a test) can coexist.
c.JupyterHub.hub_port = c.JupyterHub.port + 1
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{c.JupyterHub.port + 2}"
c.JupyterHub.db_url = "sqlite:///" + os.path.join(state, "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(state, "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = os.path.join(state, "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True   # stopping the hub stops every learner's server
if os.environ.get("ATTENTION_KIT_HUB_PROXY"):
    c.ConfigurableHTTPProxy.command = [os.environ["ATTENTION_KIT_HUB_PROXY"]]
c.ConfigurableHTTPProxy.pid_file = os.path.join(state, "proxy.pid")

# ---------------------------------------------------------------- who may log in
auth = os.environ.get("ATTENTION_KIT_HUB_AUTH", "pam")
users, admins = names("ATTENTION_KIT_HUB_USERS"), names("ATTENTION_KIT_HUB_ADMINS")
if auth == "shared-password":
    # One password for the class (a workshop, the kit's own test); only the listed users, each a system user.
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = os.environ["ATTENTION_KIT_HUB_PASSWORD"]
    if not users:
        raise SystemExit("ATTENTION_KIT_HUB_USERS must list the learners when the password is shared")
elif auth == "pam":
    c.JupyterHub.authenticator_class = "pam"
else:
    raise SystemExit(f"ATTENTION_KIT_HUB_AUTH must be pam or shared-password, not {auth!r}")
if users:
    c.Authenticator.allowed_users = users
else:
    c.Authenticator.allow_all = True
c.Authenticator.admin_users = admins

# ---------------------------------------------------------------- each learner's own server
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [os.path.join(hub_dir, "bin", "start-singleuser")]
c.Spawner.notebook_dir = "~/attention-kit"
c.Spawner.default_url = "/lab/tree/notebooks/00-start-here.ipynb"
c.Spawner.environment = {
    "ATTENTION_KIT_HUB_DIR": hub_dir,
    "ATTENTION_KIT_COURSE_REPO": os.path.join(hub_dir, "content"),
}
# Only the kit's kernel, and new notebooks open on it.
c.Spawner.args = ["--KernelSpecManager.allowed_kernelspecs=attention-kit",
                  "--MultiKernelManager.default_kernel_name=attention-kit"]
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 180


def private_home(spawner):
    """A learner's home is theirs alone (0700), whatever useradd's default: the other learners' kernels
    run as other users and must not read it. Refuses users without a home rather than creating one."""
    try:
        entry = pwd.getpwnam(spawner.user.name)
    except KeyError:
        raise RuntimeError(f"{spawner.user.name} is not a user on this machine (create it with useradd -m)")
    if not os.path.isdir(entry.pw_dir):
        raise RuntimeError(f"{spawner.user.name} has no home folder {entry.pw_dir} (create it with useradd -m)")
    os.chmod(entry.pw_dir, 0o700)


c.Spawner.pre_spawn_hook = private_home
