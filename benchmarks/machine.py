"""What machine a benchmark ran on: CPU, numpy's BLAS and its threads (shared by the scripts here)."""

import platform


def blas_description() -> str:
    """numpy's BLAS library, version, kernel (architecture) and threads, from threadpoolctl."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl not installed)"
    rows = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    if not rows:
        return "unknown (threadpoolctl found no BLAS)"
    return "; ".join(
        f"{i.get('internal_api')} {i.get('version')}, kernel {i.get('architecture', '?')}, "
        f"{i.get('num_threads')} thread(s)"
        for i in rows
    )


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
