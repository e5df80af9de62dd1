"""Runs the drmock binary bundled in this package (the `drmock` console script, `python -m drmock`).

The binary finds fixtures by name in each folder of $DRMOCK_FIXTURES first (`:`-separated), then in
./fixtures. The launcher appends the package's own fixtures folder to $DRMOCK_FIXTURES, so:
- `--fixture default` is the package's default fixture whatever the current directory is (a project's
  own ./fixtures/default.json does not shadow it);
- a folder the user puts in $DRMOCK_FIXTURES still comes first (adds fixtures, or overrides one by name).
"""
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))


def binary_path():
    """The bundled binary; $DRMOCK_BIN only when this package has none (a source checkout)."""
    bundled = os.path.join(_HERE, "bin", "drmock")
    if os.path.isfile(bundled):
        return bundled
    override = os.environ.get("DRMOCK_BIN")
    if override:
        return override
    raise FileNotFoundError(
        f"this drmock package has no bundled binary ({bundled} is missing: installed from a source "
        "checkout rather than the wheel?). Build the wheel with scripts/build-wheel, or set DRMOCK_BIN "
        "to a drmock binary.")


def fixtures_dir():
    """The folder of the fixtures shipped in this package."""
    return os.path.join(_HERE, "fixtures")


def environment(base=None):
    """`base` (default: os.environ) with the package's fixtures folder appended to $DRMOCK_FIXTURES."""
    env = dict(os.environ if base is None else base)
    own = fixtures_dir()
    folders = [f for f in env.get("DRMOCK_FIXTURES", "").split(":") if f]
    if own not in folders:
        folders.append(own)
    env["DRMOCK_FIXTURES"] = ":".join(folders)
    return env


def main():
    try:
        binary = binary_path()
    except FileNotFoundError as e:
        sys.stderr.write(f"drmock: {e}\n")
        sys.exit(127)
    # exec: the binary replaces this process, so signals, stdin/stdout and the exit status are its own.
    os.execve(binary, [binary, *sys.argv[1:]], environment())


if __name__ == "__main__":
    main()
