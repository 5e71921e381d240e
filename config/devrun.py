"""Run the web server, a Celery worker and beat together for local use; Ctrl-C stops all.

Started by `make run` after migrations and the demo seed.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST_PORT = os.environ.get("RUN_ADDRESS", "127.0.0.1:8000")


def main() -> int:
    data = ROOT / ".data"
    data.mkdir(exist_ok=True)
    commands = {
        "web": [sys.executable, "manage.py", "runserver", HOST_PORT, "--noreload"],
        # No -Q: one worker consumes the default queue and every workload queue
        # (config/celery_queues.py declares them all).
        "worker": [
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--beat",
            "--loglevel=INFO",
            "--concurrency=2",
            f"--schedule={data / 'celerybeat-schedule'}",
            "--hostname=dev@%h",
        ],
    }
    processes = {name: subprocess.Popen(cmd, cwd=ROOT) for name, cmd in commands.items()}
    port = HOST_PORT.rsplit(":", 1)[-1]
    print(
        f"\nRunning. Open http://localhost:{port}/ (health: http://localhost:{port}/healthz)."
        " Press Ctrl-C to stop.\n",
        flush=True,
    )

    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, process in processes.items():
            if process.poll() is not None:
                print(
                    f"{name} exited with status {process.returncode}; stopping the rest.",
                    flush=True,
                )
                exit_code = process.returncode or 1
                stopping = True
        time.sleep(0.5)
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes.values():
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
